using System.IO.Compression;
using System.Text;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The report of every demo fault's log (and of a version-1 log, a log cut mid-line and a log holding every record kind),
/// pinned byte for byte: <c>Golden/*.html.gz</c> were written by the streaming report before its parser and fold were
/// rewritten for speed, so the fast path must give the same HTML, verdict included. Run with <c>TDIAG_UPDATE_GOLDEN=1</c>
/// and <c>TDIAG_GOLDEN_DIR</c> only after a deliberate change of the report.
/// </summary>
[TestClass]
public sealed class ReportGoldenTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Golden");

    public static IEnumerable<object[]> Logs() =>
        Directory.GetFiles(Folder, "*.jsonl.gz").Order(StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p)[..^".jsonl.gz".Length] });

    [TestMethod]
    [DynamicData(nameof(Logs))]
    public void The_streamed_report_of_a_log_is_its_golden_html(string name)
    {
        string log = Path.Combine(Path.GetTempPath(), $"tdiag-golden-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllBytes(log, Gunzip(File.ReadAllBytes(Path.Combine(Folder, name + ".jsonl.gz"))));
            var html = new StringWriter();
            HtmlReport.WriteLogs([log], html);
            byte[] actual = Encoding.UTF8.GetBytes(html.ToString());
            if (Environment.GetEnvironmentVariable("TDIAG_UPDATE_GOLDEN") == "1")
            {
                string target = Environment.GetEnvironmentVariable("TDIAG_GOLDEN_DIR") ?? throw new InvalidOperationException("Set TDIAG_GOLDEN_DIR to the test project's Golden folder.");
                File.WriteAllBytes(Path.Combine(target, name + ".html.gz"), Gzip(actual));
            }

            string expected = Encoding.UTF8.GetString(Gunzip(File.ReadAllBytes(Path.Combine(Folder, name + ".html.gz"))));
            Assert.AreEqual(expected, html.ToString(), $"the report of {name} changed");
        }
        finally
        {
            File.Delete(log);
        }
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            zip.Write(bytes);
        }

        return output.ToArray();
    }
}
