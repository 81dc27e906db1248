using System.Diagnostics.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary>
/// ML.NET's closed trainers as curves: <c>Observe</c> turns the values SDCA, L-BFGS and the others report per iteration
/// into series, keeps them in the run log, draws them in the report and publishes them on the meter. The truths: analytic
/// starting losses (L-BFGS starts from zero weights: ln 3 for three classes, ln 2 for two), SDCA's own log line naming the
/// iteration of its best (lowest primal loss) model, and SDCA's definition of the duality gap.
/// </summary>
[TestClass]
public sealed class TrainerProgressTests
{
    public TestContext TestContext { get; set; } = null!;

    private static (MLContext Context, IDataView Keyed) Wine()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.WineRows());
        var keyed = context.Transforms.Conversion.MapValueToKey("Label", "Class")
            .Append(context.Transforms.NormalizeMeanVariance("Features")).Fit(data).Transform(data);
        return (context, context.Data.Cache(keyed));
    }

    [TestMethod]
    public void Observe_turns_SDCA_progress_into_curves_that_agree_with_its_own_log()
    {
        var (context, keyed) = Wine();
        var observed = context.Diagnostics().Observe(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20), "sdca");

        observed.Fit(keyed);

        ObservedFitRecord fit = observed.LastFit!;
        string[] names = fit.Series.Select(s => s.Name).ToArray();
        CollectionAssert.IsSubsetOf(new[] { "sdca/loss", "sdca/dual_loss", "sdca/duality_gap" }, names, string.Join(", ", names));
        IterationSeries loss = fit.Series.Single(s => s.Name == "sdca/loss");
        IterationSeries dual = fit.Series.Single(s => s.Name == "sdca/dual_loss");
        IterationSeries gap = fit.Series.Single(s => s.Name == "sdca/duality_gap");
        Assert.IsTrue(loss.Iterations.Count is > 1 and <= 20, $"{loss.Iterations.Count} iterations (at most 20 asked)");
        CollectionAssert.AreEqual(Enumerable.Range(1, loss.Iterations.Count).Select(i => (long)i).ToArray(), loss.Iterations.ToArray(), "one point per iteration, counted from 1");
        for (int i = 0; i < gap.Values.Count; i++)
        {
            Assert.AreEqual(loss.Values[i] - dual.Values[i], gap.Values[i], 1e-12, "the duality gap is the primal minus the dual loss");
        }

        // SDCA's own text says which iteration's model it kept: the one with the lowest primal loss.
        string kept = fit.LogLines.Single(l => l.Contains("Using best model from iteration", StringComparison.Ordinal));
        long best = long.Parse(kept[(kept.LastIndexOf(' ') + 1)..].TrimEnd('.'), System.Globalization.CultureInfo.InvariantCulture);
        int lowest = Enumerable.Range(0, loss.Values.Count).MinBy(i => loss.Values[i]);
        Assert.AreEqual(best, loss.Iterations[lowest], kept);
    }

    [TestMethod]
    public void Observe_turns_LBFGS_progress_into_curves_that_start_at_the_loss_of_zero_weights()
    {
        var (context, keyed) = Wine();
        var maxEnt = context.Diagnostics().Observe(context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(), "maxent");
        var ova = context.Diagnostics().Observe(
            context.MulticlassClassification.Trainers.OneVersusAll(context.BinaryClassification.Trainers.LbfgsLogisticRegression()), "ova");

        maxEnt.Fit(keyed);
        ova.Fit(keyed);

        // Zero weights predict every class alike: the mean log-loss is ln 3 for three classes, ln 2 per one-versus-all model.
        IterationSeries loss = maxEnt.LastFit!.Series.Single(s => s.Name == "lbfgs/loss");
        Assert.AreEqual(0, loss.Iterations[0]);
        Assert.AreEqual(Math.Log(3), loss.Values[0], 1e-6);
        Assert.IsLessThan(loss.Values[0] / 2, loss.Values[^1], "L-BFGS brought the loss down");
        Assert.IsTrue(maxEnt.LastFit.Series.Any(s => s.Name == "lbfgs/improvement"));

        // One optimizer per learner, each its own series. ML.NET 5's OneVersusAll fits learner 0 twice (once for the
        // feature column's name, once for the model), so three classes give four optimizers, the first two alike.
        IterationSeries[] ovaLosses = ova.LastFit!.Series.Where(s => s.Name.EndsWith("/loss", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual(3, ova.LastFit.LogLines.Count(l => l.Contains("Training learner", StringComparison.Ordinal)), "three classes, three learners");
        CollectionAssert.AreEqual(new[] { "lbfgs/loss", "lbfgs#2/loss", "lbfgs#3/loss", "lbfgs#4/loss" }, ovaLosses.Select(s => s.Name).ToArray(),
            string.Join(", ", ova.LastFit.Series.Select(s => s.Name)));
        CollectionAssert.AreEqual(ovaLosses[0].Values.ToArray(), ovaLosses[1].Values.ToArray(), "learner 0, fitted twice");
        CollectionAssert.AreNotEqual(ovaLosses[1].Values.ToArray(), ovaLosses[2].Values.ToArray(), "learner 1 is another problem");
        foreach (IterationSeries perClass in ovaLosses)
        {
            Assert.AreEqual(Math.Log(2), perClass.Values[0], 1e-6, perClass.Name);
        }

        Assert.IsFalse(maxEnt.LastFit.Series.Any(s => s.Name.StartsWith("lbfgs#", StringComparison.Ordinal)), "the maxent fit's series are its own");
    }

    [TestMethod]
    [DataRow("sgd", "sgd/loss")]
    [DataRow("kmeans", "kmeans/average_score")]
    [DataRow("ffm", "ffm/training_loss")]
    public void Other_ML_NET_trainers_that_report_per_iteration_get_curves_too(string trainer, string series)
    {
        var context = new MLContext(seed: 1);
        var rows = Datasets.WineRows();
        IDataView wine = context.Transforms.NormalizeMeanVariance("Features").Fit(context.Data.LoadFromEnumerable(rows))
            .Transform(context.Data.LoadFromEnumerable(rows));
        IDataView binary = context.Data.LoadFromEnumerable(rows.Select(r => new BinaryWine { Features = r.Features, Label = r.Class == 1 }));
        binary = context.Transforms.NormalizeMeanVariance("Features").Fit(binary).Transform(binary);

        ObservedFitRecord fit = trainer switch
        {
            "sgd" => Fit(context.Diagnostics().Observe(context.BinaryClassification.Trainers.SgdCalibrated(numberOfIterations: 10)), binary),
            "kmeans" => Fit(context.Diagnostics().Observe(context.Clustering.Trainers.KMeans(numberOfClusters: 3)), wine),
            _ => Fit(context.Diagnostics().Observe(context.BinaryClassification.Trainers.FieldAwareFactorizationMachine(["Features"])), binary),
        };

        IterationSeries curve = fit.Series.Single(s => s.Name == series);
        Assert.IsGreaterThan(1, curve.Iterations.Count);
        Assert.IsTrue(curve.Iterations.Zip(curve.Iterations.Skip(1)).All(p => p.Second > p.First), "iterations in order");
        Assert.IsTrue(curve.Values.All(double.IsFinite));
    }

    private static ObservedFitRecord Fit<T>(ObservedEstimator<T> observed, IDataView data) where T : class, ITransformer
    {
        observed.Fit(data);
        return observed.LastFit!;
    }

    public sealed class BinaryWine
    {
        [VectorType(13)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [TestMethod]
    public void An_estimator_that_reports_no_iterations_keeps_its_log_lines_and_has_no_curves()
    {
        var (context, keyed) = Wine();
        var observed = context.Diagnostics().Observe(context.MulticlassClassification.Trainers.NaiveBayes(), "bayes");

        observed.Fit(keyed);

        Assert.IsEmpty(observed.LastFit!.Series);
        Assert.IsNotEmpty(observed.LastFit.LogLines, "the text is kept as before");
    }

    [TestMethod]
    public void The_curves_survive_the_run_log_and_are_drawn_in_the_reports_Pipeline_section()
    {
        var (context, keyed) = Wine();
        var observed = context.Diagnostics().Observe(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20), "sdca");
        observed.Fit(keyed);
        ObservedFitRecord fit = observed.LastFit!;
        var run = new DiagnosticsRun { Metadata = new RunMetadata { RunName = "closed trainer" }, ObservedFits = [fit] };
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "progress-" + Guid.NewGuid().ToString("N"));
        string log = Path.Combine(folder, "run.jsonl");
        Directory.CreateDirectory(folder);
        using (var writer = new RunLogWriter(log, run.Metadata))
        {
            writer.Write(fit);
        }

        // A plain JSON parser sees the series in the observedFit line; the reader gives the record back whole.
        var line = System.Text.Json.JsonDocument.Parse(File.ReadLines(log).Last()).RootElement;
        Assert.AreEqual("observedFit", line.GetProperty("kind").GetString());
        Assert.AreEqual(fit.Series.Count, line.GetProperty("series").GetArrayLength());
        ObservedFitRecord read = RunLogReader.Read(log).ObservedFits.Single();
        Assert.AreEqual(fit, read);

        string html = Path.Combine(folder, "report.html");
        HtmlReport.WriteLogs([log], html);
        string text = File.ReadAllText(html);
        Assert.Contains("id=\"trainer-progress-0\"", text);
        Assert.Contains("sdca: loss, dual_loss over iterations", text, "the primal and dual losses share a chart");
        Assert.Contains("sdca/duality_gap over iterations", text);
        Assert.Contains(">iteration</text>", text, "the x axis counts iterations, not steps");
        Assert.Contains("sparsity_l1 was 1 at every iteration.", text, "a quantity that never moved is a sentence, not a flat line");
    }

    [TestMethod]
    public void The_curves_are_published_on_the_meter_while_the_fit_runs()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(Datasets.DigitRows());
        var keyed = context.Data.Cache(context.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(context.Transforms.NormalizeMinMax("Features")).Fit(data).Transform(data));
        string stage = "meter-" + Guid.NewGuid().ToString("N");
        var observed = context.Diagnostics().Observe(context.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 60), stage);
        var published = new List<(string Series, double Value, bool DuringFit, int Thread)>();
        bool fitting = false;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrainingMonitor.MeterName && instrument.Name == "training.trainer.value")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            if (tagList.Any(t => t.Key == "stage" && (string?)t.Value == stage))
            {
                lock (published)
                {
                    published.Add(((string)tagList.Single(t => t.Key == "series").Value!, value, Volatile.Read(ref fitting), Environment.CurrentManagedThreadId));
                }
            }
        });
        listener.Start();

        Volatile.Write(ref fitting, true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        observed.Fit(keyed);
        Volatile.Write(ref fitting, false);
        TestContext.WriteLine($"SDCA on digits: {clock.ElapsedMilliseconds} ms, {published.Count} values published");

        // Every value of the record was published, in order, under its series' name.
        foreach (IterationSeries series in observed.LastFit!.Series)
        {
            CollectionAssert.AreEqual(series.Values.ToArray(), published.Where(p => p.Series == series.Name).Select(p => p.Value).ToArray(), series.Name);
        }

        // Values went out from the polling thread while the trainer was still working, not only at the end.
        Assert.IsTrue(published.Any(p => p.DuringFit && p.Thread != Environment.CurrentManagedThreadId),
            $"published during the fit: {published.Count(p => p.DuringFit)} of {published.Count}");
    }

    [TestMethod]
    public void A_long_fit_keeps_a_bounded_evenly_spread_series_with_its_first_and_last_points()
    {
        var recorder = new TrainerSeriesRecorder("long");
        const int iterations = 5000;
        for (int i = 1; i <= iterations; i++)
        {
            recorder.Add(new TrainerCheckpoint(7, "SDCA training", ["Loss"], ["iterations"], [1.0 / i], [i]));
        }

        recorder.Add(new TrainerCheckpoint(8, "Building term dictionary", ["Total Terms"], ["examples"], [3], [178]));
        IterationSeries series = recorder.Build().Single();

        Assert.AreEqual("sdca/loss", series.Name, "a calculation without iterations (a dictionary) gives no series");
        Assert.IsLessThanOrEqualTo(TrainerSeriesRecorder.MaxPoints + 1, series.Iterations.Count);
        Assert.IsGreaterThanOrEqualTo(TrainerSeriesRecorder.MaxPoints / 2, series.Iterations.Count);
        Assert.AreEqual(1, series.Iterations[0]);
        Assert.AreEqual(iterations, series.Iterations[^1]);
        Assert.AreEqual(1.0 / iterations, series.Values[^1]);
        long[] gaps = series.Iterations.Zip(series.Iterations.Skip(1)).Select(p => p.Second - p.First).ToArray();
        Assert.AreEqual(1, gaps[..^1].Distinct().Count(), "evenly spread before the last point");
        for (int i = 0; i < series.Iterations.Count; i++)
        {
            Assert.AreEqual(1.0 / series.Iterations[i], series.Values[i], "each value stays with its iteration");
        }
    }

    [TestMethod]
    public void A_trainer_that_reports_its_iteration_as_a_metric_as_LightGBM_does_gets_its_curve_on_that_axis()
    {
        // LightGBM's header (its source, ML.NET 5): metrics Iteration and Training-<metric>, unit iterations left empty.
        var recorder = new TrainerSeriesRecorder("lightgbm");
        recorder.Add(new TrainerCheckpoint(3, "Training with LightGBM", ["Iteration", "Training-binary_logloss"], ["iterations"], [50, 0.4], [null]));
        recorder.Add(new TrainerCheckpoint(3, "Training with LightGBM", ["Iteration", "Training-binary_logloss"], ["iterations"], [100, 0.3], [null]));

        IterationSeries series = recorder.Build().Single();

        Assert.AreEqual("lightgbm/training_binary_logloss", series.Name);
        CollectionAssert.AreEqual(new long[] { 50, 100 }, series.Iterations.ToArray());
        CollectionAssert.AreEqual(new[] { 0.4, 0.3 }, series.Values.ToArray());
    }

    [TestMethod]
    [DataRow("Sparsity (L1)", "sparsity_l1")]
    [DataRow("# of Examples with Reassigned Cluster", "of_examples_with_reassigned_cluster")]
    [DataRow("Training-loss", "training_loss")]
    public void Metric_names_become_lower_case_slugs(string name, string slug) =>
        Assert.AreEqual(slug, TrainerSeriesNames.Slug(name));
}
