using TorchSharp;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>Per-parameter weight L2 norms, read with the step's transfer (a pass over every weight, as costly as the gradient
/// norms), published as <see cref="Quantities.WeightNorms"/>.</summary>
internal sealed class WeightNormInstrument(Schedule schedule) : Instrument("weight-norms", CostTier.Economy, schedule)
{
    private static readonly Quantity[] Published = [Quantities.WeightNorms];

    private DeviceRead[] _reads = [];

    public override IReadOnlyCollection<Quantity> Publishes => Published;

    public override void Queue(InstrumentContext context)
    {
        var parameters = context.Parameters;
        if (_reads.Length != parameters.Count)
            _reads = new DeviceRead[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
            _reads[i] = context.Reads.AddScalar(parameters[i].norm(2f)); // inside the step's no_grad scope
    }

    public override void Compute(InstrumentContext context)
    {
        var norms = new double[_reads.Length];
        for (int i = 0; i < norms.Length; i++)
            norms[i] = context.Reads[_reads[i]];
        context.Publish(Quantities.WeightNorms, norms);
    }
}
