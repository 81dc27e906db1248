using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// The top Hessian eigenvalue (sharpness) rose above 2/lr, the largest curvature along which gradient descent with step lr
/// is stable (a quadratic with curvature λ oscillates with growing amplitude once λ·lr &gt; 2). Cohen et al. 2021, "Gradient
/// descent on neural networks typically occurs at the edge of stability": full-batch training drives the sharpness up to
/// 2/lr and then oscillates there, the loss non-monotone. A warning for SGD-like optimizers (the optimizer tag of the run's
/// metadata says which; without one plain SGD is assumed and said); for adaptive optimizers (Adam, RMSprop...) the threshold
/// applies to the preconditioned Hessian, not to H, so the crossing is reported as information only.
/// </summary>
internal sealed class EdgeOfStabilityRule : FindingRule
{
    /// <summary>Optimizer names (lower case, contained in the tag) whose step is preconditioned: 2/lr is not their threshold.</summary>
    private static readonly string[] Adaptive = ["adam", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "lamb", "lion", "adafactor"];

    public override string Id => "edge-of-stability";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        CurvatureView view = run.Curvature;
        if (view.FirstAboveThreshold is not { } first)
        {
            yield break;
        }

        string? optimizer = OptimizerName(run.Metadata.Tags);
        bool adaptive = optimizer is not null && Adaptive.Any(a => optimizer.Contains(a, StringComparison.OrdinalIgnoreCase));
        string how = Invariant($"The top Hessian eigenvalue was {Format(first.TopEigenvalue!.Value)} at step {first.Step}, above 2/lr = {Format(first.StabilityThreshold!.Value)} (lr {Format(first.LearningRate!.Value)})");
        string count = Invariant($"; above it at {view.StepsAboveThreshold} of {view.StepsWithThreshold} measured step(s), at most {Format(view.LargestRatio ?? double.NaN)} x 2/lr.");
        if (adaptive)
        {
            yield return new Finding
            {
                Severity = FindingSeverity.Info,
                Rule = Id,
                Title = Invariant($"Sharpness above 2/lr from step {first.Step} (optimizer {optimizer}: the threshold does not apply as such)"),
                Detail = how + count + Invariant($" For {optimizer}, an adaptive optimizer, stability is set by the preconditioned Hessian ") +
                    "(Cohen et al. 2022, \"Adaptive gradient methods at the edge of stability\"), not by 2/lr: no action is needed on this evidence alone. See the Curvature section.",
                Step = first.Step,
            };
            yield break;
        }

        string assumption = optimizer is null
            ? " The run's metadata names no optimizer (tag \"optimizer\"): this assumes plain SGD; for Adam and other adaptive optimizers the threshold does not apply as such."
            : Invariant($" Optimizer: {optimizer}. With heavy-ball momentum β the threshold is (2 + 2β)/lr instead.");
        LearningRateFactor? factor = LearningRateFactor.FromSharpness(run);
        yield return new Finding
        {
            Severity = FindingSeverity.Warning,
            Rule = Id,
            Remedy = factor is null ? null : new Remedy { Action = RemedyActions.ScaleLearningRate, Factor = factor.Value, Text = factor.Apply(run) },
            Title = Invariant($"The sharpness crossed the edge of stability 2/lr at step {first.Step}"),
            Detail = how + count +
                " Beyond 2/lr, gradient descent is unstable along the top eigenvector: expect the loss to oscillate or spike rather than fall steadily " +
                "(Cohen et al. 2021, \"Gradient descent on neural networks typically occurs at the edge of stability\"). " +
                "Lower the learning rate below 2/λ, or add warmup, if the loss oscillates; if it still falls, this is the usual edge-of-stability regime." + assumption,
            Step = first.Step,
        };
    }

    private static string? OptimizerName(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        foreach (var (key, value) in tags)
        {
            if (string.Equals(key, "optimizer", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }
}
