using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// One run of a comparison, as the page shows it (built by <see cref="Folding.CompareFold"/> from the run's fold): its
/// verdict, incident list, lines in its colour and key numbers.
/// </summary>
internal sealed class ComparedRun
{
    /// <summary>The run's folded view (banners, findings, incidents, metadata).</summary>
    public required RunView Run { get; init; }

    /// <summary>The run's place in the comparison (its colour).</summary>
    public required int Index { get; init; }

    /// <summary>The prefix of its element ids (<c>r0-</c>, <c>r1-</c>...).</summary>
    public required string IdPrefix { get; init; }

    /// <summary>Its verdict, evaluated once.</summary>
    public required RunVerdict Verdict { get; init; }

    /// <summary>Its detailed incidents, with their element ids.</summary>
    public required IReadOnlyList<IncidentMark> Incidents { get; init; }

    /// <summary>Its training loss (downsampled), named after the run, in its colour.</summary>
    public required ChartSeries Loss { get; init; }

    /// <summary>Its total gradient norm per step (downsampled, incident steps kept), in its colour.</summary>
    public required ChartSeries GradientNorm { get; init; }

    /// <summary>Its learning rate per step (downsampled), or null when no step recorded one.</summary>
    public ChartSeries? LearningRate { get; init; }

    /// <summary>The loss of its last step, or null without steps.</summary>
    public double? FinalLoss { get; init; }

    /// <summary>Its lowest finite loss, or null when none was finite.</summary>
    public double? LowestLoss { get; init; }

    /// <summary>The last value of each of its metrics whose better direction is known, in the metrics' order.</summary>
    public required IReadOnlyList<(string Name, double Last)> LastMetrics { get; init; }

    /// <summary>The steps its step and metric records cover, or null when it has neither.</summary>
    public (long Min, long Max)? StepRange { get; init; }
}
