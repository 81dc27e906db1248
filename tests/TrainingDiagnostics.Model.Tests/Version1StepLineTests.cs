using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// The fast scanner on version-1 step lines (<c>"layers"</c> objects, every step repeating every name) against the
/// independent oracle, the source-generated contract the reader used before (<see cref="StepLine.ReadVersion1"/>): every
/// line the scanner accepts must read as the same record, bit for bit, on real logs rewritten as version 1, on hand-written
/// edge cases, and on every one-byte corruption of them; what it declines is left to the contract.
/// </summary>
[TestClass]
public sealed class Version1StepLineTests
{
    [TestMethod]
    public void Every_version_1_line_the_scanner_accepts_reads_as_the_record_contract_reads_it_even_corrupted()
    {
        List<byte[]> lines = [.. FixtureSteps().Select(Version1Line), .. EdgeCases.Select(c => Encoding.UTF8.GetBytes(c.Line))];
        using RunLogCursor cursor = RunLogReader.Open(new MemoryStream(Encoding.UTF8.GetBytes("{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"r\"}\n")));
        var cache = new LayerNameCache();
        var random = new Random(11);
        byte[] alphabet = "0123456789-+.eE,:[]{}\" nultrfaNI\\"u8.ToArray();
        int accepted = 0, corruptedAccepted = 0, checkedLines = 0;
        foreach (byte[] line in lines)
        {
            if (CanonicalStepLine.TryRead(line, [], cache) is { } fast)
            {
                accepted++;
                AssertSame(StepLine.ReadVersion1(line, cursor, 1), fast, line);
            }

            for (int k = 0; k < 100; k++)
            {
                byte[] corrupt = LineCorruption.Corrupt(line, random, alphabet);
                checkedLines++;
                if (CanonicalStepLine.TryRead(corrupt, [], cache) is { } read && IsVersion1(corrupt))
                {
                    corruptedAccepted++;
                    StepRecord general;
                    try
                    {
                        general = StepLine.ReadVersion1(corrupt, cursor, 1);
                    }
                    catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
                    {
                        throw new AssertFailedException($"the scanner accepted a line the record contract refuses ({e.Message}): {Encoding.UTF8.GetString(corrupt)}");
                    }

                    AssertSame(general, read, corrupt);
                }
            }
        }

        // Every line in the old writer's form, except the names it escaped (one golden name is not ASCII): the contract reads those.
        int expected = lines.Count - EdgeCases.Count(c => !c.Fast) - FixtureSteps().Select(Version1Line).Count(l => l.Contains((byte)'\\'));
        Assert.AreEqual(expected, accepted, "every line in the old writer's form is read fast");
        Assert.IsTrue(corruptedAccepted > 500, $"some corruptions still are valid step lines ({corruptedAccepted} of {checkedLines}), and they agree");
    }

    [TestMethod]
    public void Hand_written_edge_cases_are_read_fast_only_in_the_writers_form()
    {
        var cache = new LayerNameCache();
        foreach ((string line, bool fast) in EdgeCases)
        {
            Assert.AreEqual(fast, CanonicalStepLine.TryRead(Encoding.UTF8.GetBytes(line), [], cache) is not null, line);
        }
    }

    [TestMethod]
    public void Steps_that_list_the_same_names_share_one_name_array()
    {
        const string Header = "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"r\"}";
        string[] steps =
        [
            "{\"kind\":\"step\",\"step\":0,\"loss\":1,\"layers\":[{\"name\":\"a\",\"gradientNorm\":1},{\"name\":\"b\",\"gradientNorm\":2}]}",
            "{\"kind\":\"step\",\"step\":1,\"loss\":1,\"layers\":[{\"name\":\"a\",\"gradientNorm\":3},{\"name\":\"b\",\"weightNorm\":4}]}",
            "{\"kind\":\"step\",\"step\":2,\"loss\":1,\"layers\":[{\"name\":\"a\",\"gradientNorm\":5}]}",
            "{\"kind\":\"step\",\"step\":3,\"loss\":1,\"layers\":[{\"name\":\"a\",\"gradientNorm\":6},{\"name\":\"c\",\"gradientNorm\":7}]}",
        ];
        DiagnosticsRun run = RunLogReader.Read(new StringReader(string.Join("\n", [Header, .. steps])));
        var columns = run.Steps.Select(s => (ParameterColumns)s.Layers).ToList();
        Assert.AreSame(columns[0].Names, columns[1].Names, "the same names: one array");
        Assert.AreNotSame(columns[1].Names, columns[2].Names);
        CollectionAssert.AreEqual(new[] { "a" }, columns[2].Names.ToArray());
        CollectionAssert.AreEqual(new[] { "a", "c" }, columns[3].Names.ToArray());
        Assert.AreEqual(4.0, run.Steps[1].Layers[1].WeightNorm);
        Assert.IsNull(run.Steps[1].Layers[1].GradientNorm);
        Assert.AreEqual(7.0, run.Steps[3].Layers[1].GradientNorm);
    }

    [TestMethod]
    public void A_whole_version_1_log_with_CRLF_and_a_cut_last_line_reads_as_the_contract_reads_each_line()
    {
        List<byte[]> lines = FixtureSteps().Take(30).Select(Version1Line).ToList();
        string text = "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"crlf\"}\r\n"
            + string.Concat(lines.Select(l => Encoding.UTF8.GetString(l) + "\r\n"))
            + Encoding.UTF8.GetString(lines[^1])[..40];
        using RunLogCursor cursor = RunLogReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        using RunLogCursor oracle = RunLogReader.Open(new MemoryStream(Encoding.UTF8.GetBytes("{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"r\"}\n")));
        int n = 0;
        while (cursor.MoveNext())
        {
            AssertSame(StepLine.ReadVersion1(lines[n], oracle, 1), (StepRecord)cursor.Current, lines[n]);
            n++;
        }

        Assert.AreEqual(lines.Count, n, "every whole line, and not the cut one");
        Assert.IsFalse(cursor.IsComplete, "the cut last line marks the run incomplete");
    }

    /// <summary>Lines and whether the scanner reads them (else the contract does).</summary>
    private static readonly (string Line, bool Fast)[] EdgeCases =
    [
        ("{\"kind\":\"step\",\"step\":0,\"epoch\":0,\"loss\":2.5,\"skipped\":false,\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":0.25,\"weightNorm\":3.5,\"updateRatio\":0.01},{\"name\":\"fc1.bias\",\"weightNorm\":0.125}]}", true),
        ("{\"kind\":\"step\",\"step\":1,\"loss\":\"NaN\",\"layers\":[{\"name\":\"w\",\"gradientNorm\":\"Infinity\",\"weightNorm\":\"-Infinity\",\"updateRatio\":\"NaN\"}]}", true),
        ("{\"kind\":\"step\",\"step\":2,\"epoch\":null,\"loss\":1,\"learningRate\":null,\"gradientNorm\":null,\"skipped\":null,\"layers\":[{\"name\":\"w\",\"gradientNorm\":null,\"weightNorm\":null,\"updateRatio\":null}]}", true),
        ("{\"kind\":\"step\",\"step\":3,\"loss\":1,\"layers\":[]}", true),
        ("{\"kind\":\"step\",\"step\":4,\"loss\":-0,\"elapsedMilliseconds\":1E-07,\"gradientNorm\":1.7976931348623157E+308,\"layers\":[{\"name\":\"w\",\"gradientNorm\":0.30000000000000004},{\"name\":\"v\",\"gradientNorm\":12345678901234567890123e-30}]}", true),
        ("{\"kind\":\"step\",\"step\":5,\"loss\":1,\"layers\":[{\"name\":\"w\",\"gradientNorm\":5E-324},{\"name\":\"v\",\"gradientNorm\":2.2250738585072014E-308}]}", true),
        ("{\"kind\":\"step\",\"layers\":[{\"name\":\"w\"}],\"loss\":1,\"step\":6,\"skipped\":true}", true),
        ("{\"kind\":\"step\",\"step\":7,\"loss\":1,\"layers\":[{\"name\":\"w\"},{\"name\":\"w\"}]}", true),
        ("{\"kind\":\"step\",\"step\":8,\"loss\":1,\"layers\":[{\"name\":\"a\\\"b\",\"gradientNorm\":1}]}", false), // an escape
        ("{\"kind\":\"step\",\"step\":9,\"loss\":1,\"layers\":[{\"name\":\"fc\\u002E1\",\"gradientNorm\":1}]}", false),
        ("{\"kind\":\"step\",\"step\":10,\"loss\":1,\"layers\":[{\"name\":\"couche_é\",\"gradientNorm\":1}]}", false), // not ASCII
        ("{\"kind\":\"step\",\"step\":11,\"loss\":1,\"layers\":[{\"gradientNorm\":1,\"name\":\"w\"}]}", false), // name not first
        ("{\"kind\":\"step\",\"step\":12,\"loss\":1,\"layers\":[{\"name\":\"w\",\"gradientNorm\":1,\"gradientNorm\":2}]}", false), // twice
        ("{\"kind\":\"step\",\"step\":13,\"loss\":1,\"layers\":[{\"name\":\"w\",\"gradientNorm\":1,\"extra\":2}]}", false), // unknown
        ("{\"kind\":\"step\",\"step\":14,\"loss\":1,\"float32\":true,\"layers\":[{\"name\":\"w\",\"gradientNorm\":1}]}", false),
        ("{\"kind\":\"step\",\"step\":15,\"loss\":1, \"layers\":[{\"name\":\"w\",\"gradientNorm\":1}]}", false), // whitespace
        ("{\"kind\":\"step\",\"step\":16,\"loss\":1,\"layers\":null}", false),
    ];

    /// <summary>The steps of the real logs (and the golden log of every kind), as the version-2 reader reads them.</summary>
    private static IEnumerable<StepRecord> FixtureSteps() =>
        new[] { Path.Combine("Fixtures", "demo-sqrt-fault.jsonl"), Path.Combine("Fixtures", "demo-mlnet-data-fault.jsonl"), Path.Combine("Golden", "every-kind.jsonl") }
            .SelectMany(f => RunLogReader.Read(Path.Combine(AppContext.BaseDirectory, f)).Steps);

    /// <summary>A step as the version-1 writer wrote it: names in every layer, doubles as their shortest round-trip text.</summary>
    private static byte[] Version1Line(StepRecord step)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "step");
            json.WriteNumber("step", step.Step);
            if (step.Epoch is int epoch)
            {
                json.WriteNumber("epoch", epoch);
            }

            Number(json, "loss", step.Loss);
            Number(json, "learningRate", step.LearningRate);
            Number(json, "elapsedMilliseconds", step.ElapsedMilliseconds);
            Number(json, "gradientNorm", step.GradientNorm);
            if (step.Skipped is bool skipped)
            {
                json.WriteBoolean("skipped", skipped);
            }

            json.WriteStartArray("layers");
            foreach (LayerStatistics layer in step.Layers)
            {
                json.WriteStartObject();
                json.WriteString("name", layer.Name);
                Number(json, "gradientNorm", layer.GradientNorm);
                Number(json, "weightNorm", layer.WeightNorm);
                Number(json, "updateRatio", layer.UpdateRatio);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is not double v)
        {
            return;
        }

        if (double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteString(name, double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static bool IsVersion1(byte[] line) => Encoding.UTF8.GetString(line).Contains("\"layers\":", StringComparison.Ordinal);

    private static void AssertSame(StepRecord expected, StepRecord actual, byte[] line)
    {
        string text = Encoding.UTF8.GetString(line);
        Assert.AreEqual(expected, actual, text); // the record's own equality: every field, every layer (names included)
        Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected.Loss), BitConverter.DoubleToInt64Bits(actual.Loss), text);
        Bits(expected.LearningRate, actual.LearningRate, text);
        Bits(expected.ElapsedMilliseconds, actual.ElapsedMilliseconds, text);
        Bits(expected.GradientNorm, actual.GradientNorm, text);
        Assert.AreEqual(expected.Layers.Count, actual.Layers.Count, text);
        for (int k = 0; k < expected.Layers.Count; k++)
        {
            Assert.AreEqual(expected.Layers[k].Name, actual.Layers[k].Name, text);
            Bits(expected.Layers[k].GradientNorm, actual.Layers[k].GradientNorm, text);
            Bits(expected.Layers[k].WeightNorm, actual.Layers[k].WeightNorm, text);
            Bits(expected.Layers[k].UpdateRatio, actual.Layers[k].UpdateRatio, text);
        }
    }

    private static void Bits(double? expected, double? actual, string line)
    {
        Assert.AreEqual(expected.HasValue, actual.HasValue, line);
        if (expected is double x && actual is double y)
        {
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(y), string.Create(CultureInfo.InvariantCulture, $"{x:R} against {y:R} in {line}"));
        }
    }
}
