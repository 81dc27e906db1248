using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using TrainingDiagnostics.Model.Tests.Fuzzing;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// The reader as a library, on real logs corrupted in every way a disk, a crash or a hand can: whatever the bytes,
/// <see cref="RunLogReader"/> and <see cref="RunLogCursor"/> either read records that honour their types, or throw the
/// exception they document for a damaged log, <see cref="InvalidDataException"/>, with one line naming a line of the
/// input; never another exception, never a hang.
/// A failure prints the case and the CsCheck seed that replays it (set <c>CsCheck_Seed</c>).
/// </summary>
[TestClass]
public sealed class RunLogFuzzTests
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Two logs the monitor wrote (Fixtures/README.md) and a version-1 log, the older layout still read.</summary>
    private static readonly byte[][] Logs =
    [
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo-sqrt-fault.jsonl")),
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "demo-mlnet-data-fault.jsonl")),
        Encoding.UTF8.GetBytes(
            "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"old\",\"tags\":{\"rank\":\"0\"}}\n" +
            "{\"kind\":\"step\",\"step\":0,\"epoch\":0,\"loss\":2.5,\"skipped\":false,\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":0.25,\"weightNorm\":3.5,\"updateRatio\":0.01},{\"name\":\"fc1.bias\",\"weightNorm\":0.125}]}\n" +
            "{\"kind\":\"metric\",\"step\":0,\"name\":\"validation/loss\",\"value\":2}\n" +
            "{\"kind\":\"step\",\"step\":1,\"loss\":\"NaN\",\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":\"Infinity\"}]}\n"),
    ];

    [TestMethod]
    public void TheFixturesAreWholeLogsOfEveryRecordKind()
    {
        // The fuzz below is only as good as what it corrupts: every record kind the writer has, read back whole.
        DiagnosticsRun sqrt = RunLogReader.Read(new StringReader(Encoding.UTF8.GetString(Logs[0])));
        DiagnosticsRun mlnet = RunLogReader.Read(new StringReader(Encoding.UTF8.GetString(Logs[1])));
        Assert.IsTrue(sqrt.IsComplete && mlnet.IsComplete);
        Assert.AreEqual(23, sqrt.Steps.Count);
        Assert.IsNotEmpty(sqrt.Anomalies);
        Assert.IsNotEmpty(sqrt.Curvature);
        Assert.IsNotEmpty(sqrt.Metrics);
        Assert.IsNotEmpty(mlnet.DataProfiles);
        Assert.IsNotEmpty(mlnet.ObservedFits);
        Assert.AreEqual(2, RunLogReader.Read(new StringReader(Encoding.UTF8.GetString(Logs[2]))).Steps.Count);
    }

    [TestMethod]
    public void AnyCorruptionOfARealLogIsReadOrRefusedAsDamagedNamingTheLine()
    {
        var clock = Stopwatch.StartNew();
        int refused = 0, read = 0;
        FuzzCase.Generator(Logs.Length).Sample(
            fuzz =>
            {
                byte[] bytes = fuzz.Apply(Logs);
                Deadline.Run(() =>
                {
                    if (ReadsOrRefuses(bytes))
                    {
                        Interlocked.Increment(ref read);
                    }
                    else
                    {
                        Interlocked.Increment(ref refused);
                    }
                }, CaseLimit, $"reading {fuzz}");
            },
            writeLine: TestContext.WriteLine,
            iter: FuzzIterations.Count,
            print: fuzz => fuzz.ToString());
        TestContext.WriteLine($"{FuzzIterations.Count} corrupted logs: {read} read (records checked), {refused} refused with a line, in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [TestMethod]
    public void EveryValueOfEveryRecordKindReplacedByAnyOtherIsReadOrRefused()
    {
        // Exhaustive where the fuzz is random: each value of the first line of each shape, in each fixture, replaced by
        // every out-of-range, wrong-type or non-JSON value; the line read after the header and the parameters line,
        // once as the last line (which may be cut) and once followed by a whole step line.
        var clock = Stopwatch.StartNew();
        int cases = 0;
        var shapes = new HashSet<string>();
        foreach (byte[] log in Logs)
        {
            string[] lines = Encoding.UTF8.GetString(log).TrimEnd('\n').Split('\n');
            string header = lines[0];
            string? parameters = lines.FirstOrDefault(l => l.StartsWith("{\"kind\":\"parameters\"", StringComparison.Ordinal));
            string step = lines.First(l => l.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal));
            foreach (int target in FirstLineOfEachShape(lines, shapes))
            {
                byte[] line = Encoding.UTF8.GetBytes(lines[target]);
                string before = target == 0 ? "" : header + "\n" + (target > 1 && parameters is not null ? parameters + "\n" : "");
                List<JsonToken> tokens = JsonToken.Scan(line);

                // The first entry of each array stands for the rest (a step's gradient norms are all alike).
                foreach (JsonToken value in tokens.Where((t, i) => t.IsValue && !(i > 0 && IsScalar(tokens[i - 1]))))
                {
                    foreach (string replacement in Corruption.Replacements)
                    {
                        string damaged = Encoding.UTF8.GetString([.. line.AsSpan(0, value.Start), .. Encoding.UTF8.GetBytes(replacement), .. line.AsSpan(value.End)]);
                        ReadsOrRefuses(Encoding.UTF8.GetBytes(before + damaged + "\n"), alsoAsText: false);
                        ReadsOrRefuses(Encoding.UTF8.GetBytes(before + damaged + "\n" + step + "\n"), alsoAsText: false);
                        cases += 2;
                    }
                }
            }
        }

        TestContext.WriteLine($"{cases} logs with one value replaced, in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsGreaterThan(3_000, cases);
    }

    [TestMethod]
    [DataRow("9223372036854775808", DisplayName = "step above Int64.MaxValue")]
    [DataRow("-9223372036854775809", DisplayName = "step below Int64.MinValue")]
    [DataRow("1e400", DisplayName = "step out of double's range")]
    [DataRow("2.5", DisplayName = "step not an integer")]
    public void AStepNumberOutOfRangeIsADamagedLineNamedByNumber(string step)
    {
        // The defect the issue reports: an out-of-range step ended `tdiag report` with "unexpected FormatException".
        string log = "{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"r\"}\n" +
            $"{{\"kind\":\"step\",\"step\":{step},\"loss\":1}}\n" +
            "{\"kind\":\"step\",\"step\":2,\"loss\":1}\n";

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => RunLogReader.Read(new StringReader(log)));

        StringAssert.Contains(ex.Message, "damaged at line 2:");
        StringAssert.Contains(ex.Message, "step");
    }

    [TestMethod]
    [DataRow("{\"kind\":\"step\",\"step\":1,\"epoch\":2147483648,\"loss\":1}", "\"epoch\" is not null or an integer")]
    [DataRow("{\"kind\":\"anomaly\",\"anomalyKind\":99,\"step\":1,\"phase\":\"Forward\",\"message\":\"m\"}", "\"anomalyKind\" is 99, expected one of NonFiniteLoss")]
    [DataRow("{\"kind\":\"anomaly\",\"anomalyKind\":\"NonFiniteLoss\",\"step\":1,\"phase\":\"7\",\"message\":\"m\"}", "\"phase\" is 7")]
    [DataRow("{\"kind\":\"anomaly\",\"anomalyKind\":\"NonFiniteLoss\",\"step\":1,\"phase\":\"Forward\",\"message\":null}", "\"message\" is null")]
    [DataRow("{\"kind\":\"anomaly\",\"anomalyKind\":\"NonFiniteLoss\",\"step\":1,\"phase\":\"Forward\",\"message\":\"m\",\"inputs\":[{\"shape\":null}]}", "\"inputs[0].shape\" is null")]
    [DataRow("{\"kind\":\"curvature\",\"step\":1,\"quantity\":-1,\"value\":1,\"matVecs\":1}", "\"quantity\" is -1")]
    [DataRow("{\"kind\":\"dataProfile\",\"name\":\"d\",\"rowCount\":1,\"columns\":[null]}", "\"columns[0]\" is null")]
    [DataRow("{\"kind\":\"dataProfile\",\"name\":\"d\",\"rowCount\":1,\"findings\":[{\"rule\":\"r\",\"severity\":99,\"title\":\"t\"}]}", "\"findings[0].severity\" is 99")]
    [DataRow("{\"kind\":\"observedFit\",\"name\":\"f\",\"durationMilliseconds\":1,\"logLines\":[\"a\",null]}", "\"logLines[1]\" is null")]
    public void AValueItsRecordTypeForbidsIsADamagedLine(string record, string expected)
    {
        // JSON deserialization lets these through (nulls, enums read from numbers) and every reader of the records trusts their types.
        string log = "{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"r\"}\n" + record + "\n{\"kind\":\"step\",\"step\":2,\"loss\":1}\n";

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => RunLogReader.Read(new StringReader(log)));

        StringAssert.Contains(ex.Message, "damaged at line 2:");
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    [DataRow("{\"kind\":\"header\",\"schemaVersion\":true,\"runName\":\"r\"}", "schemaVersion")]
    [DataRow("{\"kind\":\"header\",\"schemaVersion\":0,\"runName\":\"r\"}", "schemaVersion")]
    [DataRow("{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":null}", "\"runName\" is null")]
    [DataRow("{\"kind\":\"\\ud800\",\"schemaVersion\":2,\"runName\":\"r\"}", "header fields do not match")]
    public void AHeaderOfTheWrongShapeIsADamagedFirstLine(string header, string expected)
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => RunLogReader.Read(new StringReader(header + "\n")));

        StringAssert.Contains(ex.Message, "damaged at line 1:");
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public void ANullTagValueReadsAsAnEmptyOne()
    {
        // A caller's null tag is written as is; the header is the whole run, so it reads (as "tags":null does) rather than fails.
        DiagnosticsRun run = RunLogReader.Read(new StringReader("{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"r\",\"tags\":{\"a\":null,\"b\":\"x\"}}\n"));

        Assert.AreEqual("", run.Metadata.Tags["a"]);
        Assert.AreEqual("x", run.Metadata.Tags["b"]);
    }

    [TestMethod]
    public void AKindThatIsNotValidUtf8IsADamagedLine()
    {
        // Invalid UTF-8 inside the "kind" string: the reader used to throw InvalidOperationException from the JSON reader.
        byte[] log = [.. "{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"r\"}\n{\"kind\":\"st"u8, 0xFF, .. "ep\",\"step\":1,\"loss\":1}\n"u8];

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => RunLogReader.Open(new MemoryStream(log)).MoveNext());

        StringAssert.Contains(ex.Message, "damaged at line 2: its \"kind\" is not valid text");
    }

    /// <summary>Reads <paramref name="bytes"/> as a stream (cursor) and as text; true when read, false when refused as damaged.</summary>
    private static bool ReadsOrRefuses(byte[] bytes, bool alsoAsText = true)
    {
        int lines = bytes.Count(b => b == (byte)'\n') + 1;
        bool fromCursor = Refusal(lines, () =>
        {
            using RunLogCursor cursor = RunLogReader.Open(new MemoryStream(bytes), "fuzzed");
            RecordInvariants.Check(cursor.Metadata, "metadata");
            while (cursor.MoveNext())
            {
                RecordInvariants.Check(cursor.Current, "record");
            }
        });

        if (!alsoAsText)
        {
            return fromCursor;
        }

        // Text lines split at CR too; count them so for the range check.
        int textLines = lines + bytes.Count(b => b == (byte)'\r');
        bool fromText = Refusal(textLines, () =>
        {
            using var text = new StreamReader(new MemoryStream(bytes), Encoding.UTF8);
            RecordInvariants.Check(RunLogReader.Read(text, "fuzzed"), "run");
        });
        return fromCursor && fromText;
    }

    /// <summary>
    /// Runs <paramref name="read"/>: true if it read; false if it threw exactly an <see cref="InvalidDataException"/> that
    /// names a line of the input (or says the input is empty). Any other exception fails the case.
    /// </summary>
    private static bool Refusal(int lineCount, Action read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidDataException ex) when (ex.GetType() == typeof(InvalidDataException))
        {
            Match line = Regex.Match(ex.Message, @"damaged at line (\d+): ");
            if (line.Success)
            {
                int number = int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.IsTrue(number >= 1 && number <= lineCount, $"line {number} of {lineCount}: {ex.Message}");
            }
            else
            {
                StringAssert.Contains(ex.Message, "is empty", "a refusal names the damaged line, or says there is none");
            }

            Assert.DoesNotContain('\n', ex.Message, "one line");
            return false;
        }
    }

    private static bool IsScalar(JsonToken token) =>
        token.Type is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;

    /// <summary>
    /// The first line of each shape not yet in <paramref name="seen"/>: its kind, and for steps the layout (version 1
    /// layers, float32 text or not), for anomalies whether a tensor is attached.
    /// </summary>
    private static IEnumerable<int> FirstLineOfEachShape(string[] lines, HashSet<string> seen)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            using var document = JsonDocument.Parse(lines[i]);
            JsonElement root = document.RootElement;
            string shape = root.GetProperty("kind").GetString() + string.Concat(
                new[] { "layers", "float32", "tensor" }.Where(p => root.TryGetProperty(p, out _)).Select(p => "+" + p));
            if (seen.Add(shape))
            {
                yield return i;
            }
        }
    }
}
