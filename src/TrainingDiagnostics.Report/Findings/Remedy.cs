using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Findings;

/// <summary>
/// A fix a program can apply for a <see cref="Finding"/>: an action from <see cref="RemedyActions"/>, what it applies to,
/// a factor where the action takes one (measured from the run's own evidence, never a constant), and the sentence a person reads.
/// </summary>
public sealed record Remedy
{
    /// <summary>One of <see cref="RemedyActions"/>, for example <c>scale-learning-rate</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The module or parameter the action applies to, or <see langword="null"/> when it applies to the whole run.</summary>
    public string? Target { get; init; }

    /// <summary>
    /// The action's number: the factor to multiply the learning rate by for <see cref="RemedyActions.ScaleLearningRate"/>,
    /// the maximal gradient norm for <see cref="RemedyActions.ClipGradients"/>; <see langword="null"/> for the other actions.
    /// </summary>
    public double? Factor { get; init; }

    /// <summary>The remedy in one sentence, plain text.</summary>
    public required string Text { get; init; }
}
