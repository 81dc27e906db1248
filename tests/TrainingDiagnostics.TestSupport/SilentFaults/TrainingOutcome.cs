using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>What one benchmark training produced: the run as its log was written, the report's verdict, and the harness's own measurements.</summary>
public sealed record TrainingOutcome
{
    /// <summary>The run, read back from the run log the monitor wrote.</summary>
    public required DiagnosticsRun Run { get; init; }

    /// <summary>The report's verdict on <see cref="Run"/> (<see cref="FindingRules.Evaluate(DiagnosticsRun)"/>).</summary>
    public required RunVerdict Verdict { get; init; }

    /// <summary>The training loss of every step.</summary>
    public required double[] Losses { get; init; }

    /// <summary>The validation loss after each epoch.</summary>
    public required double[] ValidationLoss { get; init; }

    /// <summary>The validation accuracy after each epoch.</summary>
    public required double[] ValidationAccuracy { get; init; }

    /// <summary>The step each evaluation was recorded at (the epoch's last step).</summary>
    public required long[] EvaluationSteps { get; init; }

    /// <summary>The learning rate trained with.</summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// Per activation module, measured by the harness after training on the training rows: for a ReLU, the share of units that
    /// output zero for every row; for a sigmoid or tanh, the share of outputs within 0.01 of a bound of its range.
    /// </summary>
    public required IReadOnlyDictionary<string, double> ActivationHealth { get; init; }

    /// <summary>Per input column as fed to the model (after any scaling or standardization): its standard deviation over the training rows.</summary>
    public required double[] InputScales { get; init; }

    /// <summary>Per input column as fed to the model: its mean over the training rows.</summary>
    public required double[] InputMeans { get; init; }

    /// <summary>Remedy targets that named no module or parameter of the model (their remedy did nothing).</summary>
    public required IReadOnlyList<string> Unresolved { get; init; }

    /// <summary>The wall-clock time of the training, evaluation and reading the log back.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The last validation accuracy (NaN where none).</summary>
    public double FinalAccuracy => ValidationAccuracy.Length == 0 ? double.NaN : ValidationAccuracy[^1];

    /// <summary>The last validation loss (NaN where none).</summary>
    public double FinalValidationLoss => ValidationLoss.Length == 0 ? double.NaN : ValidationLoss[^1];

    /// <summary>The findings of at least warning level whose rule is <paramref name="rule"/>.</summary>
    public IReadOnlyList<Finding> Alarms(string rule) =>
        Verdict.Findings.Where(f => f.Rule == rule && f.Severity >= FindingSeverity.Warning).ToList();

    /// <summary>Every finding of at least warning level.</summary>
    public IReadOnlyList<Finding> Warnings => Verdict.Findings.Where(f => f.Severity >= FindingSeverity.Warning).ToList();
}
