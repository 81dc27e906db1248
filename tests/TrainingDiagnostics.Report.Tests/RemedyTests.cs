using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>The remedies of the rules that existed before the silent faults, and how remedies reach the HTML and its embedded JSON.</summary>
[TestClass]
public sealed class RemedyTests
{
    [TestMethod]
    public void ExplodingGradientsAreClippedAtTwiceTheRunsMedianGradientNorm()
    {
        var synthetic = new SyntheticRun(1);
        synthetic.Anomalies.Add(Exploding(120));
        DiagnosticsRun run = synthetic.Build();

        Finding finding = Rule.Incidents(run).Single();

        Assert.AreEqual(RemedyActions.ClipGradients, finding.Remedy!.Action);
        Assert.AreEqual(2 * RunEvidenceTruth.MedianGradientNorm(run), finding.Remedy.Factor!.Value, 1e-12);
        StringAssert.Contains(finding.Remedy.Text, "median total gradient norm");
    }

    [TestMethod]
    public void ABatchNormBatchOfOneDropsTheLastBatch()
    {
        var batchOfOne = new AnomalyEvent
        {
            Kind = AnomalyKind.BatchNormDegenerate,
            Step = 22,
            Phase = AnomalyPhase.Forward,
            ModulePath = "bn",
            Operation = "BatchNorm1d",
            Message = "BatchNorm1d 'bn' got a batch of shape [1, 32] in train mode: one value per channel, so the batch variance is undefined.",
        };
        var channel = batchOfOne with { Message = "BatchNorm1d 'bn': 3 of 32 channel(s) have near-zero batch variance." };

        Finding finding = Rule.Incidents(Run(Typical().Steps, anomalies: [batchOfOne])).Single();
        Assert.AreEqual(RemedyActions.DropLastBatch, finding.Remedy!.Action);
        Assert.AreEqual("bn", finding.Remedy.Target);

        Assert.IsNull(Rule.Incidents(Run(Typical().Steps, anomalies: [channel])).Single().Remedy, "a constant channel is not fixed by dropping a batch");
        Assert.IsNull(Rule.Incidents(Run(Typical().Steps, anomalies: [NaNGradient(3)])).Single().Remedy, "no action of the list fixes a sqrt at 0");
    }

    [TestMethod]
    public void ACollapseAfterALearningRateJumpGoesBackToTheRateThatTrainedWell()
    {
        double[] losses = [2.1, 1.9, 1.5, 1, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 2, 2.9, 3.1];
        var run = Run(losses.Select((l, i) => Step(i, l) with { LearningRate = i < 15 ? 0.01 : 10 }));

        Finding collapse = Rule.Collapse(run).Single();

        Assert.AreEqual(RemedyActions.ScaleLearningRate, collapse.Remedy!.Action);
        Assert.AreEqual(0.01 / 10, collapse.Remedy.Factor!.Value, 1e-15, "the rate before the x1000 jump");
        StringAssert.Contains(collapse.Remedy.Text, "from 10 to 0.01");
    }

    [TestMethod]
    public void LargeUpdatesScaleTheLearningRateToAHealthyUpdateAndBiasesDoNotCount()
    {
        // fc1.weight moves by 0.2 of its norm per step (median): x3e-3/0.2 = 0.015. Its bias moves more, as biases near zero do.
        var steps = new[] { 0.15, 0.2, 0.3 }.Select((r, i) => Step(i, 1, ("fc1.weight", 1), ("fc1.bias", 1)) with
        {
            LearningRate = 0.5,
            Layers = [new LayerStatistics { Name = "fc1.weight", GradientNorm = 1, UpdateRatio = r }, new LayerStatistics { Name = "fc1.bias", GradientNorm = 1, UpdateRatio = 5 }],
        });

        Finding finding = Rule.LargeUpdates(Run(steps)).Single();

        Assert.AreEqual("fc1.weight", finding.ModulePath);
        Assert.AreEqual(3e-3 / 0.2, finding.Remedy!.Factor!.Value, 1e-12);
        StringAssert.Contains(finding.Remedy.Text, "from 0.5 to 0.0075");
    }

    [TestMethod]
    public void RemediesAppearInTheFindingsListAndInTheEmbeddedJson()
    {
        var synthetic = new SyntheticRun(2) { UpdateRatio = (p, t) => p < 2 ? 0 : 5e-3 };
        synthetic.Profiles.Add(new DataProfileRecord
        {
            Name = InstrumentMetricNames.InputProfile,
            RowCount = 64,
            Findings = [new DataFinding { Rule = "unnormalized-input", Severity = AnomalySeverity.Warning, Title = "Scales " + Xss }],
        });
        DiagnosticsRun run = synthetic.Build();
        string html = Render(run);

        // HTML: one remedy per finding that has one, as a program reads it (data attributes) and as a person does.
        var items = Regex.Matches(html, "<li class=\"finding\" data-rule=\"frozen-parameters\">.*?<span class=\"finding-remedy\" data-action=\"([^\"]+)\" data-target=\"([^\"]+)\">");
        CollectionAssert.AreEquivalent(new[] { "fc1.weight", "fc1.bias" }, items.Select(m => m.Groups[2].Value).Distinct().ToArray());
        Assert.IsTrue(items.All(m => m.Groups[1].Value == RemedyActions.AddToOptimizer));
        Assert.Contains("data-action=\"standardize-inputs\" data-target=\"input\"", html);
        Assert.DoesNotContain(Xss, html);

        // JSON: every finding with its remedy, parsed by System.Text.Json.
        using JsonDocument data = Data(html);
        JsonElement[] findings = data.RootElement.GetProperty("findings").EnumerateArray().ToArray();
        RunVerdict verdict = FindingRules.Evaluate(run);
        Assert.HasCount(verdict.Findings.Count, findings);
        JsonElement frozen = findings.First(f => f.GetProperty("rule").GetString() == "frozen-parameters");
        Assert.AreEqual("fc1.weight", frozen.GetProperty("module").GetString());
        Assert.AreEqual(0L, frozen.GetProperty("step").GetInt64());
        Assert.AreEqual("warning", frozen.GetProperty("severity").GetString());
        JsonElement remedy = frozen.GetProperty("remedy");
        Assert.AreEqual(RemedyActions.AddToOptimizer, remedy.GetProperty("action").GetString());
        Assert.AreEqual("fc1.weight", remedy.GetProperty("target").GetString());
        Assert.AreEqual(JsonValueKind.Null, remedy.GetProperty("factor").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, findings.First(f => f.GetProperty("rule").GetString() == "no-incidents").GetProperty("remedy").ValueKind);
    }

    [TestMethod]
    public void AFactorIsWrittenExactlyAndTheSameUnderAnyCulture()
    {
        var synthetic = new SyntheticRun(3)
        {
            Loss = t => t < 40 ? 2.3 - (0.045 * t) : 0.5,
            LossNoise = 0.5,
            UpdateRatio = (p, t) => 0.02,
            ValidationLoss = e => e % 2 == 0 ? 0.45 : 0.95,
        };
        DiagnosticsRun run = synthetic.Build();
        double factor = Rule.Findings(run, "oscillating-loss").Single().Remedy!.Factor!.Value;

        string invariant = Render(run);
        string german;
        using (new CultureScope("de-DE"))
        {
            german = Render(run);
        }

        Assert.AreEqual(invariant, german);
        using JsonDocument data = Data(invariant);
        double written = data.RootElement.GetProperty("findings").EnumerateArray()
            .First(f => f.GetProperty("rule").GetString() == "oscillating-loss").GetProperty("remedy").GetProperty("factor").GetDouble();
        Assert.AreEqual(factor, written, "round trip");
        Assert.Contains(FormattableString.Invariant($"data-factor=\"{factor:R}\""), invariant);
    }
}
