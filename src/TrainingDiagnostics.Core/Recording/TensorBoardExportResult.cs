namespace TrainingDiagnostics.Recording;

/// <summary>What <see cref="TensorBoardExport"/> wrote for one run log.</summary>
public sealed record TensorBoardExportResult
{
    /// <summary>The event file written (its folder is the TensorBoard run).</summary>
    public required string EventFile { get; init; }

    /// <summary>The run's name, from the log's header.</summary>
    public required string RunName { get; init; }

    /// <summary>The step records converted.</summary>
    public long StepCount { get; init; }

    /// <summary>The scalar values written (step scalars, metrics, curvature).</summary>
    public long ScalarCount { get; init; }

    /// <summary>The texts written (incidents, heals, pipeline fits).</summary>
    public long TextCount { get; init; }

    /// <summary><see langword="false"/> when the log's last line was cut (a crashed or running training): everything before it was converted.</summary>
    public bool IsComplete { get; init; } = true;
}
