using System.Globalization;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The remedies applied to a retraining, as the findings' <see cref="Remedy"/> objects name them (targets unresolved: the
/// training resolves them against its model). <see cref="None"/> applies nothing.
/// </summary>
public sealed record RemedySet
{
    /// <summary>Nothing to apply.</summary>
    public static RemedySet None { get; } = new();

    /// <summary>Multiplies the learning rate.</summary>
    public double LearningRateFactor { get; init; } = 1;

    /// <summary>Standardize the inputs with the training rows' column means and standard deviations.</summary>
    public bool StandardizeInputs { get; init; }

    /// <summary>Targets (parameters or modules) to add to the optimizer.</summary>
    public IReadOnlyList<string> AddToOptimizer { get; init; } = [];

    /// <summary>Targets (modules, parameters or activations) whose layer is re-initialized after the model is built.</summary>
    public IReadOnlyList<string> Reinitialize { get; init; } = [];

    /// <summary>Targets (activations, or the layers feeding them) whose activation becomes a LeakyReLU.</summary>
    public IReadOnlyList<string> ReplaceActivation { get; init; } = [];

    /// <summary>Stop after the epoch whose evaluation is recorded at this step.</summary>
    public long? StopAtStep { get; init; }

    /// <summary>Clip the gradient's global norm to this.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Drop each epoch's last batch when it is incomplete.</summary>
    public bool DropLastBatch { get; init; }

    /// <summary>Whether nothing is applied.</summary>
    public bool IsEmpty => this == None || (LearningRateFactor == 1 && !StandardizeInputs && AddToOptimizer.Count == 0
        && Reinitialize.Count == 0 && ReplaceActivation.Count == 0 && StopAtStep is null && ClipGradientNorm is null && !DropLastBatch);

    /// <summary>
    /// This set with <paramref name="finding"/>'s remedy added, or <see langword="null"/> (with the reason) when it cannot be
    /// applied: no remedy, <c>check-labels</c>, a missing factor or step, an unknown action, or nothing new.
    /// </summary>
    public RemedySet? With(Finding finding, out string? refusal)
    {
        refusal = null;
        Remedy? remedy = finding.Remedy;
        RemedySet? next = remedy?.Action switch
        {
            null => null,
            RemedyActions.ScaleLearningRate when remedy.Factor is double f && double.IsFinite(f) && f > 0 => this with { LearningRateFactor = LearningRateFactor * f },
            RemedyActions.ClipGradients when remedy.Factor is double n && double.IsFinite(n) && n > 0 && !(ClipGradientNorm <= n) => this with { ClipGradientNorm = n },
            RemedyActions.StandardizeInputs when !StandardizeInputs => this with { StandardizeInputs = true },
            RemedyActions.AddToOptimizer when remedy.Target is { } t && !AddToOptimizer.Contains(t) => this with { AddToOptimizer = [.. AddToOptimizer, t] },
            RemedyActions.Reinitialize when remedy.Target is { } t && !Reinitialize.Contains(t) => this with { Reinitialize = [.. Reinitialize, t] },
            RemedyActions.ReplaceActivation when remedy.Target is { } t && !ReplaceActivation.Contains(t) => this with { ReplaceActivation = [.. ReplaceActivation, t] },
            RemedyActions.EarlyStop when finding.Step is long s && !(StopAtStep <= s) => this with { StopAtStep = s },
            RemedyActions.DropLastBatch when !DropLastBatch => this with { DropLastBatch = true },
            _ => null,
        };
        if (next is null)
        {
            refusal = remedy is null ? "the finding carries no remedy"
                : remedy.Action == RemedyActions.CheckLabels ? "check-labels cannot be applied by a program"
                : RemedyActions.All.Contains(remedy.Action) ? $"{remedy.Action} adds nothing (no factor, target or step, or already applied)"
                : $"unknown action '{remedy.Action}'";
        }

        return next;
    }

    /// <summary>The set in a few words, for example <c>lr x0.1, inputs standardized</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (LearningRateFactor != 1)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"lr x{LearningRateFactor:G3}"));
        }

        if (StandardizeInputs)
        {
            parts.Add("inputs standardized");
        }

        if (AddToOptimizer.Count > 0)
        {
            parts.Add($"{string.Join(", ", AddToOptimizer)} added to the optimizer");
        }

        if (Reinitialize.Count > 0)
        {
            parts.Add($"{string.Join(", ", Reinitialize)} re-initialized");
        }

        if (ReplaceActivation.Count > 0)
        {
            parts.Add($"{string.Join(", ", ReplaceActivation)} -> LeakyReLU");
        }

        if (StopAtStep is long stop)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"stop after step {stop}"));
        }

        if (ClipGradientNorm is double clip)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"clip to {clip:G3}"));
        }

        if (DropLastBatch)
        {
            parts.Add("drop last batch");
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
