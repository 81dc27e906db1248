using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using TrainingDiagnostics.Report.Folding;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>The view parts the silent-fault rules read: the same from a streamed log as in memory, and bounded in size.</summary>
[TestClass]
public sealed class SilentFaultFoldTests
{
    [TestMethod]
    public void AStreamedLogGivesTheInMemoryFindingsAndRemedies()
    {
        // Several faults at once: a ReLU that dies at step 100, fc1 left out of the optimizer, an unscaled input, overfitting.
        var synthetic = new SyntheticRun(1)
        {
            UpdateRatio = (p, t) => p < 2 ? 0 : 5e-3,
            Loss = t => 0.002 + (2.3 * Math.Exp(-t / 40.0)),
            ValidationLoss = e => e <= 5 ? 0.6 - (0.06 * e) : 0.3 + (0.048 * (e - 5)),
        };
        synthetic.Activations[1] = ("relu2", InstrumentMetricNames.DeadFractionPrefix, t => t < 100 ? 0.2 : 0.9);
        synthetic.Profiles.Add(new DataProfileRecord
        {
            Name = InstrumentMetricNames.InputProfile,
            RowCount = 256,
            Findings = [new DataFinding { Rule = "unnormalized-input", Severity = AnomalySeverity.Warning, Title = "Unscaled" }],
        });
        DiagnosticsRun run = synthetic.Build();

        // Written as the monitor writes: each step's metrics right after it, the input profile after the first batches.
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, run.Metadata, leaveOpen: true))
        {
            var metrics = run.Metrics.ToLookup(m => m.Step);
            foreach (StepRecord step in run.Steps)
            {
                writer.Write(step);
                foreach (MetricRecord metric in metrics[step.Step])
                {
                    writer.Write(metric);
                }

                if (step.Step == 3)
                {
                    writer.Write(run.DataProfiles[0]);
                }
            }
        }

        using var cursor = RunLogReader.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
        RunVerdict streamed = FindingRules.Evaluate(RunFold.FromLog(cursor, new ReportOptions()));
        RunVerdict inMemory = FindingRules.Evaluate(run);

        CollectionAssert.AreEqual(inMemory.Findings.ToArray(), streamed.Findings.ToArray());
        CollectionAssert.IsSubsetOf(
            new[] { "dying-relu", "frozen-parameters", "unnormalized-input", "overfitting" },
            streamed.Findings.Select(f => f.Rule).Distinct().ToArray());
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void TheNewViewPartsStayBoundedOverALongRun()
    {
        var synthetic = new SyntheticRun(2) { Steps = 100_000, Loss = t => 0.1 + (2.2 * Math.Exp(-t / 5000.0)) };
        synthetic.Activations.Add(("relu3", InstrumentMetricNames.DeadFractionPrefix, _ => 0.1));
        RunView view = RunFold.FromRun(synthetic.Build(), new ReportOptions());

        Assert.IsLessThanOrEqualTo(LossProfile.MaxWindows, view.Steps.Profile!.Windows.Count);
        Assert.AreEqual(100_000, view.Steps.Profile.Windows.Sum(w => w.Count), "the windows tile the losses");
        Assert.IsLessThanOrEqualTo(ParametersView.TrendColumns, view.Parameters.GradientTrend.Start.Length);
        Assert.IsTrue(view.Parameters.GradientTrend.Norms.All(r => r.Length == view.Parameters.GradientTrend.Start.Length));
        Assert.HasCount(3, view.Activations.Modules);
        Assert.IsTrue(view.Activations.Modules.All(m => m.Count == 5000 && m.RecentCount == ActivationFold.RecentReadings));
        Assert.IsFalse(view.Metrics.Any(m => m.Name.StartsWith("activation/", StringComparison.Ordinal)), "readings are not kept as user metrics");
        Assert.AreEqual(VerdictLevel.Healthy, FindingRules.Evaluate(view).Level);
    }
}
