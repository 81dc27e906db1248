using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;
using TrainingDiagnostics.Anomalies;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Replay;

/// <summary>
/// Localizes an anomaly by replaying the step: the random state and module buffers are put back as they were before the
/// step, the loss closure runs again with forward hooks on every module and grad probes at every module boundary, and the
/// first producer is named. Afterwards everything (gradients, buffers, random state) is as the normal step left it.
/// </summary>
/// <remarks>
/// Forward: hooks fire in execution order, children before their parent, so the first hook that sees a non-finite output
/// while its input was finite is the innermost producer; a non-finite batch makes the data the producer. Backward: the
/// probes report the gradient entering each module (w.r.t. its output) and leaving it (w.r.t. its input); the producer is
/// the first module that receives a finite gradient and sends out a non-finite one. libtorch's node name comes from anomaly
/// mode, enabled around <c>backward()</c> only (never around <c>autograd.grad</c>, which would abort the process).
/// Hooks see modules whose <c>forward</c> takes and returns one tensor and that are called through <c>call()</c>.
/// </remarks>
internal sealed partial class StepReplay
{
    private readonly ModuleTree _tree;
    private readonly List<nn.Module> _dropouts;

    public StepReplay(ModuleTree tree)
    {
        _tree = tree;
        _dropouts = tree.Modules.Where(m => ModuleTree.TypeName(m.Module).Contains("Dropout", StringComparison.Ordinal)).Select(m => m.Module).ToList();
    }

    public AnomalyEvent? Replay(Func<Tensor> closure, StepSnapshot before, ReplayTarget target, long step)
    {
        using var scope = NewDisposeScope();
        var stashedGrads = _tree.Parameters.Select(p => p.Tensor.grad).ToArray();
        using var after = new StepSnapshot(_tree);
        after.Capture();
        // TorchSharp exposes no CUDA generator state: on CUDA, dropout runs in eval mode during the replay so that the
        // replay draws nothing from the device generator (the CPU generator is saved and restored).
        var evalDuringReplay = OnCuda() ? _dropouts.Where(d => d.training).ToList() : [];
        var forward = new ForwardTrace();
        var recorder = new ProbeRecorder();
        var removers = new List<Action>();
        try
        {
            foreach (var p in _tree.Parameters)
                p.Tensor.grad = null;
            before.RestoreRandomState();
            before.RestoreBuffers();
            foreach (var dropout in evalDuringReplay)
                dropout.eval();
            foreach (var (path, module) in _tree.Modules)
                Attach(path, module, forward, recorder, removers);

            using var grad = enable_grad();
            var loss = closure();
            foreach (var remover in removers)
                remover();
            removers.Clear();

            var found = FromForward(forward, loss, target, step);
            if (found is not null)
                return found;

            string? node = null;
            string? anomalyTrace = null;
            if (loss.requires_grad)
            {
                try
                {
                    if (target == ReplayTarget.NonFinite)
                    {
                        // Anomaly mode prints its trace to native stderr: route it into the incident, not onto the user's console.
                        string captured = NativeStandardError.Capture(() =>
                        {
                            using var anomaly = autograd.detect_anomaly(check_nan: true);
                            try
                            {
                                loss.backward();
                            }
                            catch (ExternalException e)
                            {
                                node = NodeName(e.Message);
                            }
                        });
                        anomalyTrace = NativeStandardError.FirstWarning(captured);
                    }
                    else
                    {
                        loss.backward();
                    }
                }
                catch (ExternalException e)
                {
                    node = NodeName(e.Message);
                }
            }
            var located = target == ReplayTarget.NonFinite
                ? FromBackward(recorder.Observations, node, step)
                : FromVanishing(recorder.Observations, step);
            return located is not null && anomalyTrace is not null
                ? located with { Localization = $"{located.Localization} (libtorch anomaly mode: {anomalyTrace.TrimEnd(':', ' ')})" }
                : located;
        }
        finally
        {
            foreach (var remover in removers)
                remover();
            foreach (var dropout in evalDuringReplay)
                dropout.train();
            for (int i = 0; i < stashedGrads.Length; i++)
                _tree.Parameters[i].Tensor.grad = stashedGrads[i];
            after.RestoreRandomState();
            after.RestoreBuffers();
        }
    }

    private void Attach(string path, nn.Module module, ForwardTrace forward, ProbeRecorder recorder, List<Action> removers)
    {
        if (module is not nn.Module<Tensor, Tensor> single)
            return;
        var pre = single.register_forward_pre_hook((_, input) =>
        {
            if (forward.Calls == 0 && !forward.DataFaultChecked)
            {
                forward.DataFaultChecked = true;
                if (!TensorStatisticsReader.IsFinite(input))
                    forward.DataFault = TensorStatisticsReader.Read(input, "input");
            }
            return GradProbe.Wrap(input, new ProbeSite(path, IsOutput: false, recorder));
        });
        removers.Add(() => pre.remove());
        var post = single.register_forward_hook((_, input, output) =>
        {
            forward.Calls++;
            if (forward.Producer is null && !TensorStatisticsReader.IsFinite(output) && TensorStatisticsReader.IsFinite(input))
            {
                forward.Producer = path;
                forward.ProducerOutput = TensorStatisticsReader.Read(output, "output");
                forward.ProducerInput = TensorStatisticsReader.Read(input, "input");
            }
            return GradProbe.Wrap(output, new ProbeSite(path, IsOutput: true, recorder));
        });
        removers.Add(() => post.remove());
    }

    private AnomalyEvent? FromForward(ForwardTrace forward, Tensor loss, ReplayTarget target, long step)
    {
        if (forward.DataFault is { } data)
            return AnomalyEvents.NonFiniteInput(step, data, "replay: forward pre-hook on the model saw a non-finite batch");

        if (forward.Producer is { } path)
        {
            var module = _tree.ModuleAt(path)!;
            string type = ModuleTree.TypeName(module);
            var badParameter = _tree.Parameters.FirstOrDefault(p => p.OwnerPath == path && !TensorStatisticsReader.IsFinite(p.Tensor));
            if (badParameter is not null)
                return AnomalyEvents.NonFiniteParameter(step, badParameter.Name, path, type, TensorStatisticsReader.Read(badParameter.Tensor, badParameter.Name),
                    "replay: first forward hook with a non-finite output and finite input; the module's own parameter is non-finite",
                    forward.ProducerInput!);
            return AnomalyEvents.NonFiniteOutput(step, path, type, ModuleTree.IsBatchNorm(module), forward.ProducerOutput!, forward.ProducerInput!,
                "replay: first forward hook, in execution order, with a non-finite output and a finite input (innermost module)");
        }

        if (target == ReplayTarget.NonFinite && !TensorStatisticsReader.IsFinite(loss))
            return AnomalyEvents.NonFiniteLoss(step,
                "Every module produced finite outputs, but the loss computed from them is not finite: the loss computation is the producer.",
                "replay: all forward hooks finite, loss non-finite", TensorStatisticsReader.Read(loss, "loss"));
        return null;
    }

    private AnomalyEvent? FromBackward(IReadOnlyList<ProbeObservation> observations, string? node, long step)
    {
        string? producer = null;
        ProbeObservation? outgoing = null;
        ProbeObservation? incoming = null;
        string how;

        if (node is not null)
        {
            // Anomaly mode stopped the backward pass inside the producer: the innermost module entered but not left.
            var open = observations.Where(o => o.IsOutput && !observations.Any(l => !l.IsOutput && l.Path == o.Path && l.Sequence > o.Sequence))
                .OrderByDescending(o => o.Sequence).FirstOrDefault();
            producer = open?.Path;
            incoming = open;
            how = $"replay: libtorch anomaly mode stopped the backward pass at {node}; innermost module whose incoming gradient was seen and whose outgoing gradient was not";
        }
        else
        {
            foreach (var o in observations.Where(o => !o.IsOutput && !o.IsFinite))
            {
                var enter = observations.LastOrDefault(i => i.IsOutput && i.Path == o.Path && i.Sequence < o.Sequence);
                if (enter is null || enter.IsFinite)
                {
                    producer = o.Path;
                    outgoing = o;
                    incoming = enter;
                    break;
                }
            }
            how = "replay: grad probes at module boundaries; first module with a finite incoming and a non-finite outgoing gradient";
        }

        if (producer is null)
        {
            // Boundaries stayed finite: look for a parameter gradient that is not (computed inside its module).
            var bad = _tree.Parameters.FirstOrDefault(p => p.Tensor.grad is { } g && !TensorStatisticsReader.IsFinite(g));
            if (bad is not null)
            {
                producer = bad.OwnerPath;
                var stats = TensorStatisticsReader.Read(bad.Tensor.grad!, $"{bad.Name}.grad");
                return BackwardEvent(step, producer, node, stats, null,
                    $"The gradient of parameter '{bad.Name}' holds {Count(stats)} while the gradients crossing module boundaries stayed finite.",
                    how + "; parameter gradient check");
            }
        }

        if (producer is null && node is null)
            return null;

        var tensor = outgoing?.Statistics;
        string where = producer is null ? "outside every module (in the loss computation)" : $"in {_tree.TypeNameAt(producer)} '{(producer.Length == 0 ? "(model)" : producer)}'";
        string message = node is not null
            ? $"The backward node {node} returned NaN {where}; the gradient entering it was finite."
            : $"The gradient turned non-finite {where}: it entered finite (norm {incoming?.Norm:G4}) and left with {Count(tensor)}.";
        return BackwardEvent(step, producer, node, tensor, incoming, message, how);
    }

    private AnomalyEvent BackwardEvent(long step, string? producer, string? node, TensorStatistics? tensor, ProbeObservation? incoming, string message, string how)
    {
        var inputs = incoming is null ? null : new[] { incoming.Statistics ?? new TensorStatistics { Name = "grad_output" } };
        return AnomalyEvents.NonFiniteGradient(step, producer, producer is null ? null : _tree.TypeNameAt(producer), node, tensor, inputs, message, how);
    }

    private AnomalyEvent? FromVanishing(IReadOnlyList<ProbeObservation> observations, long step)
    {
        foreach (var o in observations.Where(o => !o.IsOutput && o.IsFinite && o.Norm == 0))
        {
            var enter = observations.LastOrDefault(i => i.IsOutput && i.Path == o.Path && i.Sequence < o.Sequence);
            if (enter is null || enter.Norm == 0)
                continue;
            string type = _tree.TypeNameAt(o.Path);
            return AnomalyEvents.VanishingGradient(step, o.Path, type,
                $"{type} '{o.Path}' receives a gradient of norm {enter.Norm:G4} and passes on exactly zero: every layer before it learns nothing.",
                "replay: grad probes at module boundaries; first module with a non-zero incoming and a zero outgoing gradient", o.Statistics);
        }
        return null;
    }

    private static string Count(TensorStatistics? stats) => AnomalyEvents.Count(stats);

    private bool OnCuda() => _tree.Parameters.Count > 0 && _tree.Parameters[0].Tensor.device_type == DeviceType.CUDA;

    internal static string? NodeName(string message)
    {
        var match = NodePattern().Match(message);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"Function '(\w+)' returned nan")]
    private static partial Regex NodePattern();

    private sealed class ForwardTrace
    {
        public int Calls;
        public bool DataFaultChecked;
        public TensorStatistics? DataFault;
        public string? Producer;
        public TensorStatistics? ProducerOutput;
        public TensorStatistics? ProducerInput;
    }
}
