using TrainingDiagnostics.Anomalies;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// BatchNorm per-channel batch variances: switches the BatchNorm watch's variance check on for the step's forward pass (one
/// transfer per BatchNorm layer); channels with near-zero variance become BatchNorm anomalies at that step.
/// </summary>
internal sealed class BatchNormVarianceInstrument(Schedule schedule, BatchNormWatch watch) : Instrument("batchnorm-variance", CostTier.Business, schedule)
{
    public override void BeforeForward(InstrumentContext context) => watch.CheckVariance = true;

    public override void Compute(InstrumentContext context) => watch.CheckVariance = false;
}
