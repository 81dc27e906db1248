using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class PredictionAndCompatibilityTests
{
    public sealed class DigitPrediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }

    [TestMethod]
    public void A_prediction_engine_scores_single_rows_like_the_batch_transform()
    {
        var (context, model, _, test) = DigitsPipelineTests.TrainDigits(epochs: 2);
        var engine = context.Model.CreatePredictionEngine<DigitRow, DigitPrediction>(model);
        var rows = context.Data.CreateEnumerable<DigitRow>(test, reuseRowObject: false).Take(25).ToList();
        var batch = model.Transform(context.Data.LoadFromEnumerable(rows)).GetColumn<uint>("PredictedLabel").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(batch[i], engine.Predict(rows[i]).PredictedLabel);
        }
    }

    [TestMethod]
    public void A_run_log_written_before_the_MLNet_records_existed_still_reads_with_empty_profiles_and_fits()
    {
        const string oldLog = """
            {"kind":"header","schemaVersion":1,"runName":"old","tags":{}}
            {"kind":"step","step":0,"loss":1.5,"layers":[{"name":"fc.weight","gradientNorm":0.25}]}
            {"kind":"metric","step":0,"name":"validation/loss","value":1.25}
            """;
        DiagnosticsRun run = RunLogReader.Read(new StringReader(oldLog));
        Assert.HasCount(1, run.Steps);
        Assert.HasCount(1, run.Metrics);
        Assert.IsEmpty(run.DataProfiles);
        Assert.IsEmpty(run.ObservedFits);
        Assert.AreEqual(0, run.SkippedRecordCount);
    }
}
