using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TrainingDiagnostics.Report.Folding;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The report's fast paths against what they replace: a version-1 log (read by the fast scanner into columns, on the
/// parsing thread) gives the page its version-2 original gives (read by the version-2 path the goldens pin), for every demo
/// fault's log; and the quantile sketch's looked-up bucket is the one <see cref="Math.Log(double)"/> gives.
/// </summary>
[TestClass]
public sealed class Version1ReportTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Golden", "logs");

    public static IEnumerable<object[]> Version2Logs() =>
        Directory.GetFiles(Folder, "*.jsonl.gz").Order(StringComparer.Ordinal).Select(p => Path.GetFileName(p)[..^".jsonl.gz".Length])
            .Where(n => !n.StartsWith("v1-", StringComparison.Ordinal)).Select(n => new object[] { n });

    [TestMethod]
    [DynamicData(nameof(Version2Logs))]
    public void A_log_rewritten_as_version_1_gives_the_same_page(string name)
    {
        string[] lines = Encoding.UTF8.GetString(Gunzip(File.ReadAllBytes(Path.Combine(Folder, name + ".jsonl.gz")))).Split('\n');
        string v2 = Path.Combine(Path.GetTempPath(), $"tdiag-v2-{Guid.NewGuid():N}.jsonl"), v1 = Path.ChangeExtension(v2, ".v1.jsonl");
        try
        {
            File.WriteAllText(v2, string.Join("\n", lines));
            File.WriteAllText(v1, string.Join("\n", AsVersion1(lines)));
            var expected = new StringWriter();
            var actual = new StringWriter();
            HtmlReport.WriteLogs([v2], expected);
            HtmlReport.WriteLogs([v1], actual);
            Assert.AreEqual(expected.ToString(), actual.ToString(), $"the version-1 form of {name} reports differently");
        }
        finally
        {
            File.Delete(v2);
            File.Delete(v1);
        }
    }

    [TestMethod]
    public void The_sketch_bucket_looked_up_is_the_one_Math_Log_gives()
    {
        var random = new Random(23);
        for (int i = 0; i < 300_000; i++)
        {
            // Log-uniform over 1e-35 to 1e35 (beyond the table on both sides), and values within 200,000 ULPs of a
            // bucket boundary γ^k, where the looked-up and the computed index could part.
            double v = Math.Exp((random.NextDouble() * 161) - 80.5);
            Assert.AreEqual(LogBucketIndex.Computed(v), LogBucketIndex.Of(v), v.ToString("R", CultureInfo.InvariantCulture));
            double boundary = Math.Pow(QuantileSketch.Gamma, random.Next(-3600, 3600));
            double near = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(boundary) + random.Next(-200_000, 200_000));
            Assert.AreEqual(LogBucketIndex.Computed(near), LogBucketIndex.Of(near), near.ToString("R", CultureInfo.InvariantCulture));
        }

        foreach (double v in new[] { double.Epsilon, 1e-300, 1e-30, 0.5, 1, 1.02, 2, 1e30, 1e300, double.MaxValue })
        {
            Assert.AreEqual(LogBucketIndex.Computed(v), LogBucketIndex.Of(v), v.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// The lines of a version-2 log in the version-1 layout: the header says version 1, the parameters lines go, and each
    /// step's columns become <c>"layers"</c> objects that name their parameter (float32 values written as the doubles
    /// they widen to, so they read back the same). Other lines, and a cut last line, stay as they are.
    /// </summary>
    private static IEnumerable<string> AsVersion1(string[] lines)
    {
        string[] names = [];
        foreach (string line in lines)
        {
            JsonObject? node;
            try
            {
                node = line.Length == 0 ? null : JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                node = null; // the cut last line
            }

            string? kind = node?["kind"]?.GetValue<string>();
            if (kind == "header")
            {
                node!["schemaVersion"] = 1;
                yield return node.ToJsonString();
            }
            else if (kind == "parameters")
            {
                names = node!["names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            }
            else if (kind == "step" && node!["gradientNorms"] is JsonArray gradient)
            {
                bool float32 = node["float32"]?.GetValue<bool>() == true;
                var weight = node["weightNorms"] as JsonArray;
                var update = node["updateRatios"] as JsonArray;
                var layers = new JsonArray();
                for (int k = 0; k < names.Length; k++)
                {
                    var layer = new JsonObject { ["name"] = names[k] };
                    Add(layer, "gradientNorm", gradient[k], float32);
                    Add(layer, "weightNorm", weight?[k], float32);
                    Add(layer, "updateRatio", update?[k], float32);
                    layers.Add(layer);
                }

                node.Remove("float32");
                node.Remove("gradientNorms");
                node.Remove("weightNorms");
                node.Remove("updateRatios");
                node["layers"] = layers;
                yield return node.ToJsonString();
            }
            else
            {
                yield return line;
            }
        }
    }

    private static void Add(JsonObject layer, string name, JsonNode? value, bool float32)
    {
        if (value is null)
        {
            return;
        }

        layer[name] = float32 && value.GetValueKind() == JsonValueKind.Number
            ? JsonValue.Create((double)float.Parse(value.ToJsonString(), CultureInfo.InvariantCulture))
            : value.DeepClone();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
