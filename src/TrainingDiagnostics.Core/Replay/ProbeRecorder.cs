using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Replay;

/// <summary>Collects, in backward execution order, what the grad probes of a replay saw.</summary>
internal sealed class ProbeRecorder
{
    private readonly Lock _gate = new();
    private readonly List<ProbeObservation> _observations = [];

    public IReadOnlyList<ProbeObservation> Observations
    {
        get
        {
            lock (_gate)
                return _observations.ToArray();
        }
    }

    public void Record(ProbeSite site, Tensor gradient)
    {
        double norm;
        bool finite;
        TensorStatistics? statistics = null;
        using (var scope = NewDisposeScope())
        using (var noGrad = no_grad())
        {
            var g = gradient.detach();
            var summary = stack(new[] { g.isfinite().all().to(ScalarType.Float64), g.to(ScalarType.Float64).norm() }).cpu().data<double>().ToArray();
            finite = summary[0] != 0;
            norm = summary[1];
        }
        if (!finite || norm == 0)
            statistics = TensorStatisticsReader.Read(gradient, site.IsOutput ? "grad_output" : "grad_input");
        lock (_gate)
            _observations.Add(new ProbeObservation(_observations.Count, site.Path, site.IsOutput, finite, norm, statistics));
    }
}
