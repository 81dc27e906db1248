using Microsoft.ML;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.MLNet.Tests;

[TestClass]
public sealed class DataProfileTests
{
    [TestMethod]
    public void Wine_left_unscaled_gives_the_scale_finding_with_the_advice_to_normalize()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var profile = context.Diagnostics().ProfileData("Features").Fit(data).Profile;

        Assert.AreEqual(178, profile.RowCount);
        var whole = profile.Columns.Single(c => c.Name == "Features");
        Assert.AreEqual(178 * 13, whole.Count);
        Assert.AreEqual(0, whole.NonFiniteCount);
        var proline = profile.Columns.Single(c => c.Name == "Features[12]");
        // Oracle: the proline column of the CSV, computed here independently.
        double[] column = Datasets.WineRows().Select(w => (double)w.Features[12]).ToArray();
        double mean = column.Average();
        Assert.AreEqual(column.Min(), proline.Min, 1e-3);
        Assert.AreEqual(column.Max(), proline.Max, 1e-3);
        Assert.AreEqual(mean, proline.Mean, 1e-3);
        Assert.AreEqual(Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average()), proline.StandardDeviation, 1e-3);
        Assert.IsFalse(proline.IsConstant);

        // Oracle: each feature's scale is its largest absolute value; the spread is the largest over the smallest.
        double[] extents = Enumerable.Range(0, 13).Select(j => Datasets.WineRows().Max(w => Math.Abs((double)w.Features[j]))).ToArray();
        Assert.AreEqual(extents.Max() / extents.Min(), profile.ScaleSpread, 1e-9 * profile.ScaleSpread);
        Assert.IsGreaterThan(1000.0, profile.ScaleSpread);
        var finding = profile.Findings.Single(f => f.Rule == InputScaleJudge.Rule);
        StringAssert.Contains(finding.Detail, "Normalize");
        StringAssert.Contains(finding.Title, "Features[12]");
    }

    [TestMethod]
    public void The_report_of_a_run_with_the_wine_profile_shows_the_data_section_and_counts_its_finding()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var model = context.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(context.Diagnostics().ProfileData("Features"))
            .Append(context.Diagnostics().Observe(context.Transforms.NormalizeMeanVariance("Features"), "normalize"))
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions { ModelFactory = () => Models.Mlp(13, 8, 3), Epochs = 2, Seed = 1 }))
            .Fit(data);
        DiagnosticsRun run = model.LastTransformer.Run;
        Assert.HasCount(2, run.DataProfiles, "the pipeline's profile of the raw data and the monitor's profile of the trainer's input");
        var input = run.DataProfiles.Single(p => p.Name == InstrumentMetricNames.InputProfile);
        Assert.HasCount(13, input.Columns);
        Assert.HasCount(0, input.Findings, "after NormalizeMeanVariance the trainer's input is of unit scale: " + string.Join("; ", input.Findings.Select(f => f.Title)));
        Assert.HasCount(1, run.ObservedFits);

        using var html = new StringWriter();
        HtmlReport.Write(run, html);
        string text = html.ToString();
        StringAssert.Contains(text, "id=\"data\"");
        StringAssert.Contains(text, "Feature scales differ by a factor of");
        StringAssert.Contains(text, "Features[12]");
        StringAssert.Contains(text, "id=\"pipeline\"");
        StringAssert.Contains(text, "normalize");
        var verdict = TrainingDiagnostics.Report.Findings.FindingRules.Evaluate(run);
        Assert.IsTrue(verdict.Findings.Any(f => f.Rule == InputScaleJudge.Rule));
    }

    [TestMethod]
    public void The_run_log_carries_the_profile_and_the_observed_fits_and_reads_back()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        string path = Path.Combine(Path.GetTempPath(), $"tdiag-mlnet-{Guid.NewGuid():N}.jsonl");
        var model = context.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(context.Diagnostics().ProfileData("Features"))
            .Append(context.Diagnostics().Observe(context.Transforms.NormalizeMeanVariance("Features"), "normalize"))
            .Append(context.Diagnostics().TorchModule(new TorchModuleTrainerOptions { ModelFactory = () => Models.Mlp(13, 8, 3), Epochs = 1, Seed = 1, RunLogPath = path }))
            .Fit(data);
        var read = RunLogReader.Read(path);
        Assert.AreEqual(model.LastTransformer.Run.Steps.Count, read.Steps.Count);
        Assert.AreEqual(model.LastTransformer.Run.DataProfiles.Single(), read.DataProfiles.Single());
        Assert.AreEqual("normalize", read.ObservedFits.Single().Name);
        File.Delete(path);
    }
}
