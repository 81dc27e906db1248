using System.Text;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// The bytes of the run log, pinned: a fixed sequence holding every record kind (and the edge cases of each: non-finite
/// values, float32 and double columns, a parameter list that changes, text needing escapes) is written and compared with
/// <c>Golden/every-kind.jsonl</c>, which was written by the writer before its record kinds became one table. Run with
/// <c>TDIAG_UPDATE_GOLDEN=1</c> only after a deliberate format change.
/// </summary>
[TestClass]
public sealed class RunLogGoldenTests
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Golden", "every-kind.jsonl");

    internal static RunMetadata Metadata() => new()
    {
        RunName = "golden \"run\" <é> + ünïcode",
        ModelDescription = "Sequential(Linear, ReLU, Linear)",
        ParameterCount = 1234,
        Device = "cpu",
        Seed = 7,
        StartedAt = new DateTimeOffset(2026, 12, 3, 5, 30, 0, TimeSpan.FromHours(1)),
        TorchSharpVersion = "0.107.0.0",
        LibraryVersion = "0.1.0.0",
        Tags = new Dictionary<string, string> { ["optimizer"] = "Adam", ["note"] = "a+b & <c> 'd' ∂" },
        Rank = 1,
        WorldSize = 2,
    };

    /// <summary>Every record kind the writer knows, in an order a run could write them.</summary>
    internal static IReadOnlyList<object> Records()
    {
        float f = 0.1f;
        return
        [
            new DataProfileRecord
            {
                Name = "train",
                RowCount = 1000,
                Columns =
                [
                    new ColumnProfile { Name = "Features", Type = "Vector<Single, 4>", Count = 4000, NonFiniteCount = 2, Min = -1.5, Max = double.PositiveInfinity, Mean = 0.25, StandardDeviation = 1.0 / 3, IsConstant = false },
                    new ColumnProfile { Name = "Label", Count = 1000 },
                ],
                ScaleSpread = 1e6,
                Findings = [new DataFinding { Rule = "input-scale", Severity = AnomalySeverity.Warning, Title = "Scales differ by 1e6", Detail = "column \"x\" <big>", Column = "Features" }],
            },
            new StepRecord
            {
                Step = 0, Epoch = 0, Loss = 2.5, LearningRate = 0.01, ElapsedMilliseconds = 12.75, GradientNorm = 0.5,
                Layers = [new LayerStatistics { Name = "fc1.weight", GradientNorm = f, WeightNorm = 3f }, new LayerStatistics { Name = "fc1.bias", GradientNorm = 0.25f }],
            },
            new StepRecord
            {
                Step = 1, Epoch = 0, Loss = 1.0 / 3, LearningRate = 0.01, GradientNorm = 0.4,
                Layers = [new LayerStatistics { Name = "fc1.weight", GradientNorm = 0.1, UpdateRatio = 1e-3 }, new LayerStatistics { Name = "fc1.bias", GradientNorm = double.NaN, UpdateRatio = null }],
            },
            new CurvatureRecord { Step = 1, Quantity = CurvatureQuantity.TopEigenvalue, Value = 1.0727834283018063, Residual = 0.036, MatVecs = 8, Converged = false },
            new CurvatureRecord { Step = 1, Quantity = CurvatureQuantity.Trace, Value = 6.5, StandardError = 1.25, MatVecs = 12, Converged = true },
            new AnomalyEvent
            {
                Kind = AnomalyKind.NonFiniteGradient,
                Step = 2,
                Phase = AnomalyPhase.Backward,
                ModulePath = "gate",
                Operation = "sqrt",
                NaNCount = 3,
                InfCount = 1,
                Tensor = new TensorStatistics { Name = "grad", Shape = [2, 3], DType = "Float32", NaNCount = 3, InfCount = 1, Min = double.NegativeInfinity, Max = 4, MeanAbsolute = double.NaN },
                Inputs = [new TensorStatistics { Name = "input", Shape = [2, 3], DType = "Float32", Min = 0, Max = 1, MeanAbsolute = 0.5 }],
                Message = "sqrt'(0) = +Inf: x <= 0 & \"gate\"",
                Suggestion = "clamp(x, min=1e-6)",
                Localization = "first producer",
                Value = double.PositiveInfinity,
                Threshold = 1e3,
                Action = "skip",
            },
            new StepRecord { Step = 2, Loss = double.NaN, Skipped = true, GradientNorm = double.PositiveInfinity, Layers = [new LayerStatistics { Name = "fc1.weight", GradientNorm = double.NegativeInfinity }, new LayerStatistics { Name = "fc1.bias" }] },
            new StepRecord { Step = 3, Loss = 0.5 },
            new StepRecord
            {
                Step = 4, Loss = 0.25, ElapsedMilliseconds = 1e-9,
                Layers = new ParameterColumns(["fc2.weight", "fc2.bias", "ünï.weight"], [1e-300, 2.5, null], [1.5, null, 7], null),
            },
            new MetricRecord { Step = 4, Name = "validation/loss", Value = 0.3 },
            new MetricRecord { Step = 4, Name = "validation/accuracy", Value = double.NaN },
            new InstrumentFailureRecord { Step = 5, Instrument = "histograms", Stage = "Compute", ExceptionType = "InvalidOperationException", Message = "shape [2] <> [3] & more", ConsecutiveFailures = 3, StoodDown = true },
            new HealRecord { Step = 6, Action = "scale-learning-rate", Target = "optimizer", Factor = 0.5, From = 0.01, To = 0.005, Reason = "loss spike > 4x median", AppliedAt = 6 },
            new HealRecord { Step = 10, Action = "scale-learning-rate", Reason = "", Healed = true, Outcome = "loss back under the median" },
            new ObservedFitRecord
            {
                Name = "SdcaMaximumEntropy",
                EstimatorType = "Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer",
                StartedAt = new DateTimeOffset(2026, 12, 3, 5, 31, 0, TimeSpan.Zero),
                DurationMilliseconds = 1234.5,
                LogLines = ["Using 2 threads", "Auto-tuning <parameters> \"L1\""],
                Error = null,
                Series = [new IterationSeries { Name = "loss", Iterations = [1, 2, 3], Values = [0.9, double.NaN, 0.1] }],
            },
            new ObservedFitRecord { Name = "Broken", DurationMilliseconds = 0, Error = "System.ArgumentOutOfRangeException: column 'X' not found" },
        ];
    }

    internal static void WriteAll(RunLogWriter writer, IEnumerable<object> records)
    {
        foreach (object record in records)
        {
            switch (record)
            {
                case StepRecord r: writer.Write(r); break;
                case AnomalyEvent r: writer.Write(r); break;
                case MetricRecord r: writer.Write(r); break;
                case CurvatureRecord r: writer.Write(r); break;
                case DataProfileRecord r: writer.Write(r); break;
                case ObservedFitRecord r: writer.Write(r); break;
                case InstrumentFailureRecord r: writer.Write(r); break;
                case HealRecord r: writer.Write(r); break;
                default: throw new InvalidOperationException(record.GetType().Name);
            }
        }
    }

    private static byte[] WriteToFile(string path)
    {
        using (var writer = new RunLogWriter(path, Metadata()))
        {
            WriteAll(writer, Records().Take(5));
        }

        using (RunLogWriter append = RunLogWriter.Append(path))
        {
            WriteAll(append, Records().Skip(5));
        }

        return File.ReadAllBytes(path);
    }

    [TestMethod]
    public void The_writer_writes_the_golden_bytes_for_every_record_kind()
    {
        string path = Path.GetTempFileName();
        try
        {
            byte[] bytes = WriteToFile(path);
            if (Environment.GetEnvironmentVariable("TDIAG_UPDATE_GOLDEN") == "1")
            {
                string source = Path.Combine(Environment.GetEnvironmentVariable("TDIAG_GOLDEN_DIR") ?? throw new InvalidOperationException("Set TDIAG_GOLDEN_DIR to the test project's Golden folder."), "every-kind.jsonl");
                File.WriteAllBytes(source, bytes);
            }

            byte[] golden = File.ReadAllBytes(GoldenPath);
            CollectionAssert.AreEqual(golden, bytes, $"The run log's bytes changed:\n{Encoding.UTF8.GetString(bytes)}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void A_text_writer_receives_the_same_bytes_as_a_file()
    {
        string path = Path.GetTempFileName();
        try
        {
            using (var file = new RunLogWriter(path, Metadata()))
            {
                WriteAll(file, Records());
            }

            var text = new StringWriter { NewLine = "\n" };
            using (var writer = new RunLogWriter(text, Metadata(), leaveOpen: true))
            {
                WriteAll(writer, Records());
            }

            byte[] fromFile = File.ReadAllBytes(path);
            CollectionAssert.AreEqual(fromFile, Encoding.UTF8.GetBytes(text.ToString()));
            Assert.AreEqual(File.ReadAllLines(GoldenPath).Length - 1, fromFile.Count(b => b == (byte)'\n'), "one parameters line fewer than the golden log, whose second writer appends");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void The_golden_log_reads_back_to_the_records_written()
    {
        DiagnosticsRun run = RunLogReader.Read(GoldenPath);
        IReadOnlyList<object> records = Records();
        Assert.AreEqual(Metadata(), run.Metadata);
        Assert.IsTrue(run.IsComplete);
        Assert.AreEqual(0, run.SkippedRecordCount);
        CollectionAssert.AreEqual(records.OfType<AnomalyEvent>().ToList(), run.Anomalies.ToList());
        CollectionAssert.AreEqual(records.OfType<MetricRecord>().ToList(), run.Metrics.ToList());
        CollectionAssert.AreEqual(records.OfType<CurvatureRecord>().ToList(), run.Curvature.ToList());
        CollectionAssert.AreEqual(records.OfType<DataProfileRecord>().ToList(), run.DataProfiles.ToList());
        CollectionAssert.AreEqual(records.OfType<ObservedFitRecord>().ToList(), run.ObservedFits.ToList());
        CollectionAssert.AreEqual(records.OfType<InstrumentFailureRecord>().ToList(), run.InstrumentFailures.ToList());
        CollectionAssert.AreEqual(records.OfType<HealRecord>().ToList(), run.Heals.ToList());
        Assert.AreEqual(records.OfType<StepRecord>().Count(), run.Steps.Count);
        Assert.AreEqual(0.1f, (float)run.Steps[0].Layers[0].GradientNorm!.Value);
        Assert.AreEqual("ünï.weight", run.Steps[4].Layers[2].Name);
    }
}
