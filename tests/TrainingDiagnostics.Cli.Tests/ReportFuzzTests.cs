using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Model.Tests.Fuzzing;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// <c>tdiag report</c> and <c>tdiag compare</c> on real logs (written by <c>tdiag demo</c> here) corrupted in every way
/// the Model's fuzzed reader uses: each case either renders a whole report (with the incomplete-log banner when the
/// last line is cut, and the skipped-records note when lines of unknown kinds were passed over), or exits 3 with one
/// line on stderr that names the damaged line. Never exit 1, never "unexpected", never a stack trace, never a hang.
/// A failure prints the case and the CsCheck seed that replays it (set <c>CsCheck_Seed</c>).
/// </summary>
[TestClass]
public sealed class ReportFuzzTests
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);
    private static readonly Regex DamagedLine = new(@"damaged at line (\d+): ", RegexOptions.Compiled);
    private static readonly Regex SkippedNote = new(@"(\d+) record\(s\) of kinds this version does not know were skipped", RegexOptions.Compiled);

    private static string s_root = null!;
    private static string[] s_cleanLogs = null!;
    private static byte[][] s_logs = null!;
    private static HashSet<string> s_knownKinds = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void WriteRealLogs(TestContext context)
    {
        // Real logs, from the real monitor: a custom layer's NaN gradient (incident, curvature, metrics) and the ML.NET
        // pipeline with a NaN pixel (data profiles, observed fits, a non-finite input).
        s_root = Path.Combine(context.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-fuzz-" + Guid.NewGuid().ToString("N"));
        string[][] demos = [["demo", "--fault", "sqrt", "--epochs", "1"], ["demo", "--mlnet", "--fault", "data", "--epochs", "1"]];
        s_cleanLogs = new string[demos.Length];
        for (int i = 0; i < demos.Length; i++)
        {
            string folder = Path.Combine(s_root, $"base{i}");
            var error = new StringWriter();
            Assert.AreEqual(ExitCodes.Success, TdiagApp.Run([.. demos[i], "--out", folder], new StringWriter(), error), error.ToString());
            s_cleanLogs[i] = Path.Combine(folder, "run.jsonl");
        }

        s_logs = s_cleanLogs.Select(File.ReadAllBytes).ToArray();

        // Kinds this reader knows: every *Kind constant of the schema, and every kind the writer just wrote.
        s_knownKinds = typeof(RunLogSchema).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Kind", StringComparison.Ordinal) && f.Name != nameof(RunLogSchema.KindProperty))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(s_cleanLogs.SelectMany(File.ReadLines).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()!))
            .ToHashSet(StringComparer.Ordinal);
    }

    [ClassCleanup]
    public static void RemoveLogs()
    {
        if (s_root is not null && Directory.Exists(s_root))
        {
            Directory.Delete(s_root, recursive: true);
        }
    }

    [TestMethod]
    public void AnyCorruptionOfARealLogRendersOrExitsThreeNamingTheLine()
    {
        var clock = Stopwatch.StartNew();
        int rendered = 0, refused = 0;
        Gen.Select(FuzzCase.Generator(s_logs.Length), Gen.Bool).Sample(
            (fuzz, compare) =>
            {
                if (RunOne(fuzz, compare))
                {
                    Interlocked.Increment(ref rendered);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            },
            writeLine: TestContext.WriteLine,
            iter: FuzzIterations.Count,
            // CI runs a fixed set of corruptions, so that a red run is reproducible; set CsCheck_Seed to explore others.
            seed: Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "arRBgibgXfd2",
            print: c => $"{(c.Item2 ? "compare" : "report")}, {c.Item1}");
        TestContext.WriteLine($"{FuzzIterations.Count} corrupted logs: {rendered} rendered, {refused} refused with exit 3 naming the line, in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [TestMethod]
    public void EveryNumberOfEveryRecordKindAtTheEdgeOfItsTypeRendersOrExitsThree()
    {
        // Exhaustive where the fuzz is random: each number property of the first line of each kind set to each edge
        // value. Found: steps at Int64's limits hung the chart's tick loop; a huge step time overflowed TimeSpan.
        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (int log = 0; log < s_logs.Length; log++)
        {
            string[] lines = Encoding.UTF8.GetString(s_logs[log]).TrimEnd('\n').Split('\n');
            var seen = new HashSet<string>();
            for (int target = 0; target < lines.Length; target++)
            {
                using (var document = JsonDocument.Parse(lines[target]))
                {
                    if (!seen.Add(document.RootElement.GetProperty("kind").GetString()!))
                    {
                        continue;
                    }
                }

                byte[] line = Encoding.UTF8.GetBytes(lines[target]);
                List<JsonToken> tokens = JsonToken.Scan(line);
                foreach (JsonToken number in JsonToken.Properties(tokens).Select(p => tokens[p + 1]).Where(t => t.Type == JsonTokenType.Number))
                {
                    foreach (string edge in Corruption.EdgeNumbers)
                    {
                        string[] copy = (string[])lines.Clone();
                        copy[target] = Encoding.UTF8.GetString([.. line.AsSpan(0, number.Start), .. Encoding.UTF8.GetBytes(edge), .. line.AsSpan(number.End)]);
                        RunOne(Encoding.UTF8.GetBytes(string.Join('\n', copy) + "\n"), compare: cases % 2 == 1, log, $"line {target + 1}: {copy[target]}");
                        cases++;
                    }
                }
            }
        }

        TestContext.WriteLine($"{cases} logs with one number at an edge, in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsGreaterThan(500, cases);
    }

    /// <summary>Runs one case; true when it rendered, false when it was refused (exit 3), failing on anything else.</summary>
    private static bool RunOne(FuzzCase fuzz, bool compare) => RunOne(fuzz.Apply(s_logs), compare, fuzz.Log, fuzz.ToString());

    private static bool RunOne(byte[] bytes, bool compare, int baseLog, string what)
    {
        string folder = Path.Combine(s_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string log = Path.Combine(folder, "run.jsonl");
            string html = Path.Combine(folder, "report.html");
            File.WriteAllBytes(log, bytes);
            string[] args = compare
                ? ["compare", log, s_cleanLogs[(baseLog + 1) % s_cleanLogs.Length], "-o", html]
                : ["report", log, "-o", html];
            int code = -1;
            var output = new StringWriter();
            var error = new StringWriter();
            Deadline.Run(() => code = TdiagApp.Run(args, output, error), CaseLimit, $"tdiag {string.Join(' ', args)}");

            string stderr = error.ToString();
            Assert.IsTrue(code is ExitCodes.Success or ExitCodes.InputError, $"{what}: exit {code}: {stderr}");
            Assert.DoesNotContain("unexpected", stderr);
            Assert.DoesNotContain("   at ", stderr, "no stack trace");
            if (code == ExitCodes.InputError)
            {
                Assert.IsTrue(stderr.EndsWith('\n') && stderr.IndexOf('\n', StringComparison.Ordinal) == stderr.Length - 1, $"one line: {stderr}");
                StringAssert.StartsWith(stderr, "tdiag: error: ");
                Match line = DamagedLine.Match(stderr);
                if (line.Success)
                {
                    int number = int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    int lines = bytes.Count(b => b == (byte)'\n') + 1;
                    Assert.IsTrue(number >= 1 && number <= lines, $"line {number} of {lines}: {stderr}");
                }
                else
                {
                    StringAssert.Contains(stderr, "is empty", "a refusal names the damaged line, or says there is none");
                }

                Assert.IsFalse(File.Exists(html), "a refused log leaves no half-written report");
                return false;
            }

            Assert.AreEqual("", stderr);
            string report = File.ReadAllText(html);
            StringAssert.StartsWith(report, "<!DOCTYPE html>");
            StringAssert.EndsWith(report.TrimEnd(), "</html>");

            (bool cut, int unknown) = Oracle(bytes);
            Assert.AreEqual(cut, report.Contains("incomplete-banner\"", StringComparison.Ordinal), cut ? "a cut last line shows the banner" : "no banner for a whole log");
            Match note = SkippedNote.Match(report);
            Assert.AreEqual(unknown, note.Success ? int.Parse(note.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, "lines of unknown kinds are counted in the note");
            return true;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// What a reader must make of <paramref name="bytes"/>, read with a generic JSON parser: whether the last non-blank
    /// line is not JSON (cut), and how many lines after the first are JSON objects whose first <c>kind</c> is unknown.
    /// </summary>
    private static (bool Cut, int Unknown) Oracle(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                byte[] line = bytes[start..i];
                if (lines.Count == 0 && start == 0 && line.AsSpan().StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }

                if (line.Any(b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r')))
                {
                    lines.Add(line);
                }

                start = i + 1;
            }
        }

        int unknown = 0;
        bool lastIsJson = true;
        for (int i = 0; i < lines.Count; i++)
        {
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                lastIsJson = true;
                if (i > 0 && document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.EnumerateObject().FirstOrDefault(p => p.NameEquals("kind")) is { Value.ValueKind: JsonValueKind.String } kind
                    && !s_knownKinds.Contains(kind.Value.GetString()!))
                {
                    unknown++;
                }
            }
            catch (JsonException)
            {
                lastIsJson = false;
            }
        }

        return (!lastIsJson, unknown);
    }
}
