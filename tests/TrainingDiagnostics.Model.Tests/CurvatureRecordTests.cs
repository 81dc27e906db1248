using System.Text.Json;

namespace TrainingDiagnostics.Model.Tests;

[TestClass]
public sealed class CurvatureRecordTests
{
    private static RunMetadata Metadata() => new() { RunName = "curvature" };

    private static readonly CurvatureRecord[] Records =
    [
        new() { Step = 0, Quantity = CurvatureQuantity.TopEigenvalue, Value = 12.5, Residual = 1e-3, MatVecs = 20, Converged = true },
        new() { Step = 0, Quantity = CurvatureQuantity.Trace, Value = 40.25, StandardError = 0.5, MatVecs = 30, Converged = false },
        new() { Step = 10, Quantity = CurvatureQuantity.TopEigenvalue, Value = double.NaN, MatVecs = 0 },
    ];

    private static string Write()
    {
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, Metadata(), leaveOpen: true))
        {
            writer.Write(new StepRecord { Step = 0, Loss = 1.0 });
            foreach (var r in Records)
                writer.Write(r);
        }
        return text.ToString();
    }

    [TestMethod]
    public void CurvatureRecordsRoundTripThroughTheRunLog()
    {
        DiagnosticsRun run = RunLogReader.Read(new StringReader(Write()));

        CollectionAssert.AreEqual(Records, run.Curvature.ToArray());
        Assert.AreEqual(1, run.Steps.Count);
        Assert.AreEqual(0, run.SkippedRecordCount);
    }

    [TestMethod]
    public void CurvatureLinesHaveKindCurvatureAndTheQuantityAsText()
    {
        string[] lines = Write().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var doc = JsonDocument.Parse(lines[^3]);
        var root = doc.RootElement;
        Assert.AreEqual(RunLogSchema.CurvatureKind, root.GetProperty("kind").GetString());
        Assert.AreEqual("TopEigenvalue", root.GetProperty("quantity").GetString());
        Assert.AreEqual(12.5, root.GetProperty("value").GetDouble());
        Assert.IsFalse(root.TryGetProperty("standardError", out _), "a missing optional value is omitted");
        Assert.Contains("\"value\":\"NaN\"", lines[^1]);
    }

    [TestMethod]
    public void HandWrittenCurvatureLineIsRead()
    {
        string text =
            "{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"x\"}\n" +
            "{\"kind\":\"curvature\",\"step\":3,\"quantity\":\"Trace\",\"value\":7,\"standardError\":0.25,\"matVecs\":30}\n";
        var run = RunLogReader.Read(new StringReader(text));
        Assert.AreEqual(
            new CurvatureRecord { Step = 3, Quantity = CurvatureQuantity.Trace, Value = 7, StandardError = 0.25, MatVecs = 30 },
            run.Curvature.Single());
    }

    [TestMethod]
    public void OldLogWithoutCurvatureReadsWithAnEmptyList()
    {
        string text =
            "{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"old\"}\n" +
            "{\"kind\":\"step\",\"step\":0,\"loss\":2.5,\"layers\":[{\"name\":\"fc1.weight\",\"gradientNorm\":0.25}]}\n";
        var run = RunLogReader.Read(new StringReader(text));
        Assert.AreEqual(0, run.Curvature.Count);
        Assert.AreEqual(1, run.Steps.Count);
    }

    [TestMethod]
    public void CursorYieldsCurvatureRecords()
    {
        using var cursor = RunLogReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Write())));
        var records = new List<object>();
        while (cursor.MoveNext())
            records.Add(cursor.Current);
        Assert.AreEqual(4, records.Count);
        Assert.IsInstanceOfType<CurvatureRecord>(records[1]);
    }

    [TestMethod]
    public void RunsDifferingOnlyInCurvatureAreNotEqual()
    {
        var a = new DiagnosticsRun { Metadata = Metadata() };
        var b = a with { Curvature = [Records[0]] };
        Assert.AreNotEqual(a, b);
        Assert.AreEqual(a, b with { Curvature = [] });
    }
}
