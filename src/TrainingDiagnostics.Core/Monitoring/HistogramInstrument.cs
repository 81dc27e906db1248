using TrainingDiagnostics.Recording;

namespace TrainingDiagnostics.Monitoring;

/// <summary>Weight and gradient histograms written to TensorBoard (a copy of every weight and gradient to the host).</summary>
internal sealed class HistogramInstrument(Schedule schedule, TensorBoardExporter exporter) : Instrument("histograms", CostTier.Business, schedule)
{
    public override void Compute(InstrumentContext context) => exporter.WriteHistograms(context.Tree, context.Step);
}
