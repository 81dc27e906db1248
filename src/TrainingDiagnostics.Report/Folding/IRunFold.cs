using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// One section's accumulator: it sees every record of a run once, in log order, and keeps only what its section of
/// the <see cref="View.RunView"/> needs (bounded, whatever the run's length). Each fold has its own <c>Finish</c> that
/// returns its section. A new record kind reaches folds through <see cref="Record"/>; a new section is a new fold,
/// a property on the view and one line in <see cref="RunFold"/>.
/// </summary>
internal interface IRunFold
{
    /// <summary>A step; <paramref name="rows"/>[k] is the row (parameter number) of <c>step.Layers[k]</c>; <paramref name="index"/> counts steps from 0.</summary>
    void Step(StepRecord step, int[] rows, long index)
    {
    }

    /// <summary>An incident.</summary>
    void Anomaly(AnomalyEvent anomaly)
    {
    }

    /// <summary>A user metric.</summary>
    void Metric(MetricRecord metric)
    {
    }

    /// <summary>Any other record (kinds added to the log later: curvature, data profiles...).</summary>
    void Record(object record)
    {
    }
}
