using System.Text;
using System.Text.Json;

namespace TrainingDiagnostics.Model.Tests;

[TestClass]
public sealed class RunLogTests
{
    public TestContext TestContext { get; set; } = null!;

    private static RunMetadata Metadata() => new()
    {
        RunName = "digits <mlp> \"ü\"",
        ModelDescription = "MLP 64-32-10",
        ParameterCount = 2410,
        Device = "cpu",
        Seed = 42,
        StartedAt = new DateTimeOffset(2026, 11, 25, 13, 45, 7, 123, TimeSpan.FromHours(1)),
        TorchSharpVersion = "0.107.0",
        LibraryVersion = "0.1.0",
        Tags = new Dictionary<string, string> { ["optimizer"] = "adam", ["lr"] = "0.01" },
    };

    private static StepRecord Step(long step, double loss, double? grad = 0.25) => new()
    {
        Step = step,
        Epoch = (int)(step / 10),
        Loss = loss,
        LearningRate = 0.01,
        ElapsedMilliseconds = 1.5,
        Layers =
        [
            new LayerStatistics { Name = "fc1.weight", GradientNorm = grad, WeightNorm = 3.5 },
            new LayerStatistics { Name = "fc1.bias", GradientNorm = null, WeightNorm = 0.125 },
        ],
    };

    private static string WriteToString(RunMetadata metadata, params StepRecord[] steps)
    {
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, metadata, leaveOpen: true))
        {
            foreach (var s in steps)
            {
                writer.Write(s);
            }
        }

        return text.ToString();
    }

    private static DiagnosticsRun ReadString(string text) => RunLogReader.Read(new StringReader(text));

    private string TempFile() => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl");

    [TestMethod]
    public void EveryFieldRoundTrips()
    {
        StepRecord[] steps = [Step(0, 2.5), Step(1, 1.25), new StepRecord { Step = 2, Loss = 0.5 }];
        DiagnosticsRun run = ReadString(WriteToString(Metadata(), steps));

        Assert.AreEqual(Metadata(), run.Metadata);
        Assert.AreEqual("adam", run.Metadata.Tags["optimizer"]);
        Assert.AreEqual(Metadata().StartedAt, run.Metadata.StartedAt);
        Assert.AreEqual(3, run.Steps.Count);
        for (int i = 0; i < steps.Length; i++)
        {
            Assert.AreEqual(steps[i], run.Steps[i]);
        }

        Assert.IsNull(run.Steps[2].Epoch);
        Assert.IsNull(run.Steps[2].ElapsedMilliseconds);
        Assert.AreEqual(0, run.Steps[2].Layers.Count);
        Assert.IsNull(run.Steps[0].Layers[1].GradientNorm);
        Assert.IsTrue(run.IsComplete);
        Assert.AreEqual(0, run.SkippedRecordCount);
    }

    [TestMethod]
    public void MinimalMetadataRoundTrips()
    {
        var metadata = new RunMetadata { RunName = "x" };
        DiagnosticsRun run = ReadString(WriteToString(metadata));
        Assert.AreEqual(metadata, run.Metadata);
        Assert.AreEqual(0, run.Metadata.Tags.Count);
        Assert.AreEqual(0, run.Steps.Count);
    }

    [TestMethod]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    [DataRow(double.NegativeInfinity)]
    [DataRow(double.MaxValue)]
    [DataRow(double.Epsilon)]
    [DataRow(-0.0)]
    public void NonFiniteAndExtremeDoublesRoundTrip(double value)
    {
        var step = new StepRecord
        {
            Step = 7,
            Loss = value,
            LearningRate = value,
            ElapsedMilliseconds = value,
            Layers = [new LayerStatistics { Name = "w", GradientNorm = value, WeightNorm = value }],
        };

        StepRecord back = ReadString(WriteToString(Metadata(), step)).Steps.Single();

        Assert.AreEqual(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back.Loss));
        Assert.AreEqual(value, back.LearningRate!.Value);
        Assert.AreEqual(value, back.Layers[0].GradientNorm!.Value);
        Assert.AreEqual(value, back.Layers[0].WeightNorm!.Value);
    }

    [TestMethod]
    public void LinesFollowTheDocumentedLayout()
    {
        string text = WriteToString(Metadata(), Step(0, double.NaN, grad: double.PositiveInfinity), Step(1, 0.5, grad: 0.1));
        Assert.IsTrue(text.EndsWith('\n'));
        string[] lines = text.TrimEnd('\n').Split('\n');
        Assert.AreEqual(4, lines.Length, "header, parameters, two steps: the names are written once");

        // Independent oracle: a generic JSON parse of each line, against the schema text.
        Assert.StartsWith("{\"kind\":\"header\",\"schemaVersion\":2,", lines[0]);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.AreEqual("MLP 64-32-10", header.RootElement.GetProperty("modelDescription").GetString());
        Assert.AreEqual(2410, header.RootElement.GetProperty("parameterCount").GetInt64());

        Assert.AreEqual("{\"kind\":\"parameters\",\"names\":[\"fc1.weight\",\"fc1.bias\"]}", lines[1]);
        Assert.StartsWith("{\"kind\":\"step\",", lines[2]);
        using var step = JsonDocument.Parse(lines[2]);
        Assert.AreEqual("NaN", step.RootElement.GetProperty("loss").GetString());
        JsonElement gradients = step.RootElement.GetProperty("gradientNorms");
        Assert.AreEqual("Infinity", gradients[0].GetString());
        Assert.AreEqual(JsonValueKind.Null, gradients[1].ValueKind, "a value not measured is null");
        Assert.AreEqual(3.5, step.RootElement.GetProperty("weightNorms")[0].GetDouble());
        Assert.IsFalse(step.RootElement.TryGetProperty("updateRatios", out _), "a column with nothing measured is omitted");
        Assert.IsFalse(lines[2].Contains("fc1", StringComparison.Ordinal), "step lines do not repeat names");
        using var second = JsonDocument.Parse(lines[3]);
        Assert.AreEqual(0.1, second.RootElement.GetProperty("gradientNorms")[0].GetDouble(), "shortest round-trip text");
        Assert.Contains("[0.1,null]", lines[3]);
    }

    [TestMethod]
    public void Version1LogsStillRead()
    {
        // A version-1 log as the previous writer wrote it (names in every layer entry), hand-written as the oracle.
        string text =
            "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"old\"}\n" +
            "{\"kind\":\"step\",\"step\":0,\"loss\":2.5,\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":0.25,\"weightNorm\":3.5},{\"name\":\"fc1.bias\",\"weightNorm\":0.125}]}\n" +
            "{\"kind\":\"metric\",\"step\":0,\"name\":\"validation/loss\",\"value\":2}\n" +
            "{\"kind\":\"step\",\"step\":1,\"loss\":\"NaN\",\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":\"Infinity\"}]}\n";
        DiagnosticsRun run = ReadString(text);
        Assert.AreEqual(2, run.Steps.Count);
        Assert.AreEqual(new LayerStatistics { Name = "fc1.bias", WeightNorm = 0.125 }, run.Steps[0].Layers[1]);
        Assert.AreEqual(double.PositiveInfinity, run.Steps[1].Layers[0].GradientNorm);
        Assert.AreEqual(1, run.Metrics.Count);
        Assert.IsTrue(run.IsComplete);
    }

    [TestMethod]
    public void Version2RoundTripsChangingParametersFloat32AndEmptySteps()
    {
        float f = 0.123456789f;
        StepRecord[] steps =
        [
            Step(0, 2.5),
            new StepRecord { Step = 1, Loss = 2, Layers = [new LayerStatistics { Name = "fc1.weight", GradientNorm = f, UpdateRatio = (double)1e-3f }, new LayerStatistics { Name = "fc1.bias" }] },
            new StepRecord { Step = 2, Loss = 1.5 },
            new StepRecord { Step = 3, Loss = 1.25, Skipped = true, GradientNorm = 4, Layers = [new LayerStatistics { Name = "fc2.weight", GradientNorm = 1.0 / 3 }] },
            Step(4, 1.0),
        ];
        string text = WriteToString(Metadata(), steps);
        DiagnosticsRun run = ReadString(text);
        CollectionAssert.AreEqual(steps, run.Steps.ToArray());
        Assert.AreEqual((double)f, run.Steps[1].Layers[0].GradientNorm, "float32 text widens back to the same double");
        Assert.Contains("\"float32\":true", text);
        Assert.Contains("0.12345679", text);
        Assert.AreEqual(3, text.Split('\n').Count(l => l.StartsWith("{\"kind\":\"parameters\"", StringComparison.Ordinal)), "names announced only when they change");
        Assert.IsInstanceOfType<ParameterColumns>(run.Steps[0].Layers);
        Assert.AreSame(((ParameterColumns)run.Steps[0].Layers).Names, ((ParameterColumns)run.Steps[1].Layers).Names, "steps of one parameters line share its names");
    }

    [TestMethod]
    public void Version2StepOf200Float32GradientNormsFitsInTwoAndAHalfKilobytes()
    {
        // The issue's budget: 2.5 KB per step at 200 parameter tensors. Gradient norms of float32 tensors spread over three
        // decades (as a deep model's layers do), with realistic step fields; the names are paid for once, in the parameters line.
        var random = new Random(11);
        string[] names = Enumerable.Range(0, 200).Select(i => $"encoder.layers.{i / 2}.{(i % 2 == 0 ? "weight" : "bias")}").ToArray();
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, Metadata(), leaveOpen: true))
        {
            for (int s = 0; s < 100; s++)
            {
                double?[] gradients = Enumerable.Range(0, 200).Select(_ => (double?)(float)Math.Exp(-6.0 + (7.0 * random.NextDouble()))).ToArray();
                writer.Write(new StepRecord
                {
                    Step = 100_000 + s, Epoch = 12, Loss = 0.3 + random.NextDouble(), LearningRate = 3e-4, ElapsedMilliseconds = Math.Round(20 * random.NextDouble(), 3),
                    GradientNorm = 4 * random.NextDouble(), Layers = new ParameterColumns(names, gradients, null, null),
                });
            }
        }

        string[] stepLines = text.ToString().Split('\n').Where(l => l.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(100, stepLines);
        double bytesPerStep = stepLines.Average(l => Encoding.UTF8.GetByteCount(l) + 1);
        Assert.IsLessThanOrEqualTo(2500.0, bytesPerStep, $"a step line of 200 float32 gradient norms takes {bytesPerStep:F0} bytes");
        Assert.AreEqual(100, ReadString(text.ToString()).Steps.Count(step => step.Layers.Count == 200), "and it reads back");
    }

    [TestMethod]
    public void Version2TruncatedLastLineIsSkippedAndReported()
    {
        string full = WriteToString(Metadata(), Step(0, 2.0), Step(1, 1.0), Step(2, 0.5));
        string cut = full[..(full.LastIndexOf("gradientNorms", StringComparison.Ordinal) + 20)];
        DiagnosticsRun run = ReadString(cut);
        Assert.IsFalse(run.IsComplete);
        Assert.AreEqual(2, run.Steps.Count, "nothing older than the last step is lost");
        Assert.AreEqual(Step(1, 1.0), run.Steps[1]);
    }

    [TestMethod]
    public void Version2CorruptedLineNamesItsLineNumber()
    {
        string[] lines = WriteToString(Metadata(), Step(0, 2.0), Step(1, 1.0), Step(2, 0.5)).TrimEnd('\n').Split('\n');
        lines[3] = lines[3][..30]; // the second step, cut in the middle of the file
        var ex = Assert.Throws<InvalidDataException>(() => ReadString(string.Join('\n', lines) + "\n"));
        StringAssert.Contains(ex.Message, "line 4");

        lines = WriteToString(Metadata(), Step(0, 2.0), Step(1, 1.0)).TrimEnd('\n').Split('\n');
        lines[2] = lines[2].Replace("[0.25,null]", "[0.25,null,7]", StringComparison.Ordinal);
        var extra = Assert.Throws<InvalidDataException>(() => ReadString(string.Join('\n', lines) + "\n"));
        StringAssert.Contains(extra.Message, "line 3");
        StringAssert.Contains(extra.Message, "2 parameters");
    }

    [TestMethod]
    public void FileCursorStreamsRecordsAndCountsBytes()
    {
        string path = TempFile();
        using (var writer = new RunLogWriter(path, Metadata()))
        {
            for (int i = 0; i < 1000; i++)
            {
                writer.Write(Step(i, 1.0 / (i + 1)));
            }

            writer.Write(new MetricRecord { Step = 999, Name = "validation/accuracy", Value = 0.9 });
        }

        using RunLogCursor cursor = RunLogReader.Open(path);
        Assert.AreEqual(2, cursor.SchemaVersion);
        int steps = 0, metrics = 0;
        while (cursor.MoveNext())
        {
            steps += cursor.Current is StepRecord ? 1 : 0;
            metrics += cursor.Current is MetricRecord ? 1 : 0;
        }

        Assert.AreEqual(1000, steps);
        Assert.AreEqual(1, metrics);
        Assert.AreEqual(new FileInfo(path).Length, cursor.BytesRead);
        Assert.AreEqual(cursor.Length, cursor.BytesRead);
        Assert.IsTrue(cursor.IsComplete);
    }

    [TestMethod]
    public void HandWrittenLogIsRead()
    {
        const string text =
            "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"hand\",\"seed\":3,\"tags\":{\"a\":\"b\"}}\n" +
            "\n" +
            "{\"kind\":\"step\",\"step\":0,\"loss\":2.25,\"layers\":[{\"name\":\"w\",\"gradientNorm\":0.5,\"weightNorm\":null}]}\r\n" +
            "{\"step\":1,\"kind\":\"step\",\"loss\":\"-Infinity\",\"futureField\":[1,2]}\n";
        DiagnosticsRun run = ReadString(text);

        Assert.AreEqual("hand", run.Metadata.RunName);
        Assert.AreEqual(3L, run.Metadata.Seed);
        Assert.AreEqual("b", run.Metadata.Tags["a"]);
        Assert.AreEqual(2, run.Steps.Count);
        Assert.AreEqual(2.25, run.Steps[0].Loss);
        Assert.AreEqual(0.5, run.Steps[0].Layers[0].GradientNorm);
        Assert.IsNull(run.Steps[0].Layers[0].WeightNorm);
        Assert.AreEqual(double.NegativeInfinity, run.Steps[1].Loss);
        Assert.IsTrue(run.IsComplete);
    }

    [TestMethod]
    public void LastLineCutMidwayMarksTheRunIncomplete()
    {
        string text = WriteToString(Metadata(), Step(0, 2.0), Step(1, 1.5), Step(2, 1.0));
        string lastLine = text.TrimEnd('\n').Split('\n')[^1];
        string cut = text[..(text.Length - 1 - (lastLine.Length / 2))]; // half of the last line, no newline

        DiagnosticsRun run = ReadString(cut);

        Assert.IsFalse(run.IsComplete);
        Assert.AreEqual(2, run.Steps.Count);
        Assert.AreEqual(Step(1, 1.5), run.Steps[1]);
    }

    [TestMethod]
    public void CorruptMiddleLineNamesItsLineNumber()
    {
        string[] lines = WriteToString(Metadata(), Step(0, 2.0), Step(1, 1.5), Step(2, 1.0)).TrimEnd('\n').Split('\n');
        lines[2] = lines[2][..20]; // line 3 (the second step) is cut, yet not last
        string text = string.Join('\n', lines) + "\n";

        var ex = Assert.Throws<InvalidDataException>(() => ReadString(text));
        StringAssert.Contains(ex.Message, "line 3");
    }

    [TestMethod]
    public void StepMissingARequiredFieldIsDamagedEvenWhenLast()
    {
        string text = WriteToString(Metadata()) + "{\"kind\":\"step\",\"step\":4}\n";
        var ex = Assert.Throws<InvalidDataException>(() => ReadString(text));
        StringAssert.Contains(ex.Message, "line 2");
    }

    [TestMethod]
    public void UnknownKindsAreSkippedAndCounted()
    {
        string text = WriteToString(Metadata(), Step(0, 2.0)) +
            "{\"kind\":\"curvature-from-the-future\",\"step\":0,\"module\":\"fc1\"}\n" +
            "{\"kind\":\"step\",\"step\":1,\"loss\":1.0}\n";

        DiagnosticsRun run = ReadString(text);

        Assert.AreEqual(1, run.SkippedRecordCount);
        Assert.AreEqual(2, run.Steps.Count);
        Assert.IsTrue(run.IsComplete);
    }

    [TestMethod]
    public void NotARunLogIsRejected()
    {
        Assert.Throws<InvalidDataException>(() => ReadString(""));
        Assert.Throws<InvalidDataException>(() => ReadString("\n\n"));
        var noHeader = Assert.Throws<InvalidDataException>(() => ReadString("{\"kind\":\"step\",\"step\":0,\"loss\":1}\n"));
        StringAssert.Contains(noHeader.Message, "line 1");
        var cutHeader = Assert.Throws<InvalidDataException>(() => ReadString("{\"kind\":\"hea"));
        StringAssert.Contains(cutHeader.Message, "header");
        var csv = Assert.Throws<InvalidDataException>(() => ReadString("a,b,c\n1,2,3\n"));
        StringAssert.Contains(csv.Message, "line 1");
    }

    [TestMethod]
    public void NewerSchemaVersionIsRefusedWithAMessage()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ReadString("{\"kind\":\"header\",\"schemaVersion\":99,\"runName\":\"x\"}\n"));
        StringAssert.Contains(ex.Message, "99");
    }

    [TestMethod]
    public void EachLineIsFlushedWhileTheWriterIsOpen()
    {
        string path = TempFile();
        using (var writer = new RunLogWriter(path, Metadata()))
        {
            writer.Write(Step(0, 2.0));
            writer.Write(Step(1, double.NaN));

            // Read by an independent file handle while the writer still holds the file.
            DiagnosticsRun run = RunLogReader.Read(path);
            Assert.AreEqual(2, run.Steps.Count);
            Assert.IsTrue(double.IsNaN(run.Steps[1].Loss));
            Assert.IsTrue(run.IsComplete);
            Assert.AreEqual(2L, writer.RecordCount);

            writer.Write(Step(2, 1.0));
            Assert.AreEqual(3, RunLogReader.Read(path).Steps.Count);
        }

        Assert.AreEqual(3, RunLogReader.Read(path).Steps.Count);
        Assert.IsFalse(File.ReadAllBytes(path).AsSpan().StartsWith(Encoding.UTF8.Preamble), "no byte-order mark");
    }

    [TestMethod]
    public void WriteAfterDisposeThrows()
    {
        var writer = new RunLogWriter(new StringWriter(), Metadata());
        writer.Dispose();
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(Step(0, 1.0)));
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => RunLogReader.Read(TempFile()));
    }

    [TestMethod]
    [DataRow("de-DE")]
    [DataRow("ru-RU")]
    [DataRow("ar-SA")]
    public void OutputDoesNotDependOnCulture(string culture)
    {
        StepRecord step = Step(3, 0.5) with { LearningRate = 1234.5 };
        string invariant = WriteToString(Metadata(), step);

        string local;
        DiagnosticsRun readBack;
        using (new CultureScope(culture))
        {
            local = WriteToString(Metadata(), step);
            readBack = ReadString(invariant);
        }

        Assert.AreEqual(invariant, local);
        Assert.Contains("\"loss\":0.5", local);
        Assert.Contains("\"learningRate\":1234.5", local);
        Assert.AreEqual(step, readBack.Steps.Single());
    }
}
