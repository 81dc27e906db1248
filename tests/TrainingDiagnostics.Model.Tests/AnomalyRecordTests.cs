using System.Text.Json;

namespace TrainingDiagnostics.Model.Tests;

[TestClass]
public sealed class AnomalyRecordTests
{
    private static AnomalyEvent Incident(long step) => new()
    {
        Kind = AnomalyKind.NonFiniteGradient,
        Step = step,
        Phase = AnomalyPhase.Backward,
        ModulePath = "head.<img src=x onerror=alert(1)>",
        Operation = "SqrtBackward0",
        NaNCount = 3,
        InfCount = 1,
        Tensor = new TensorStatistics { Name = "grad_input", Shape = [4, 2], DType = "Float32", NaNCount = 3, InfCount = 1, Min = -1, Max = double.PositiveInfinity, MeanAbsolute = 0.5 },
        Inputs = [new TensorStatistics { Name = "grad_output", Shape = [4, 2], DType = "Float32", Min = 0, Max = 1, MeanAbsolute = 0.25 }],
        Message = "sqrt at 0",
        Suggestion = "add an epsilon",
        Localization = "replay",
        Value = double.NaN,
        Threshold = 10,
        Action = "SkipStep",
    };

    [TestMethod]
    public void AnomaliesRoundTripBesideSteps()
    {
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, new RunMetadata { RunName = "r" }, leaveOpen: true))
        {
            writer.Write(new StepRecord { Step = 0, Loss = 1, GradientNorm = 2.5, Skipped = false,
                Layers = [new LayerStatistics { Name = "w", GradientNorm = 1, WeightNorm = 2, UpdateRatio = 1e-3 }] });
            writer.Write(Incident(1));
            writer.Write(new StepRecord { Step = 1, Loss = double.NaN, Skipped = true });
        }

        var run = RunLogReader.Read(new StringReader(text.ToString()));
        Assert.AreEqual(2, run.Steps.Count);
        Assert.AreEqual(1, run.Anomalies.Count);
        Assert.AreEqual(Incident(1), run.Anomalies[0]);
        Assert.AreEqual(1e-3, run.Steps[0].Layers[0].UpdateRatio);
        Assert.AreEqual(2.5, run.Steps[0].GradientNorm);
        Assert.IsTrue(run.Steps[1].Skipped);
    }

    [TestMethod]
    public void EnumsAreWrittenByName()
    {
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, new RunMetadata { RunName = "r" }, leaveOpen: true))
            writer.Write(Incident(7));
        string line = text.ToString().Split('\n')[1];
        using var json = JsonDocument.Parse(line);
        Assert.AreEqual("anomaly", json.RootElement.GetProperty("kind").GetString());
        Assert.AreEqual("NonFiniteGradient", json.RootElement.GetProperty("anomalyKind").GetString());
        Assert.AreEqual("Backward", json.RootElement.GetProperty("phase").GetString());
    }

    [TestMethod]
    public void MetricsAndRanksRoundTrip()
    {
        var text = new StringWriter();
        var metadata = new RunMetadata { RunName = "r", Rank = 1, WorldSize = 4 };
        using (var writer = new RunLogWriter(text, metadata, leaveOpen: true))
        {
            writer.Write(new StepRecord { Step = 0, Loss = 1 });
            writer.Write(new MetricRecord { Step = 0, Name = "validation/<accuracy>", Value = 0.5 });
            writer.Write(new MetricRecord { Step = 9, Name = "validation/loss", Value = double.NaN });
        }
        var run = RunLogReader.Read(new StringReader(text.ToString()));
        Assert.AreEqual(metadata, run.Metadata);
        Assert.AreEqual(2, run.Metrics.Count);
        Assert.AreEqual(new MetricRecord { Step = 9, Name = "validation/loss", Value = double.NaN }, run.Metrics[1]);
        StringAssert.Contains(text.ToString(), "\"kind\":\"metric\"");
    }
}
