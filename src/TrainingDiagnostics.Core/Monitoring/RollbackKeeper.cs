using TorchSharp;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// What the monitor keeps to undo a step, and the undoing: the random state and buffers before each step's forward pass
/// (for a replay, the curvature probe and a skip), and under <see cref="AnomalyPolicy.Rollback"/> and
/// <see cref="AnomalyPolicy.Heal"/> the state of the most recent healthy step on <see cref="MonitorOptions.RollbackSchedule"/>
/// (parameters, buffers, optimizer state), which a rollback returns to.
/// </summary>
/// <remarks>
/// A copy for a rollback is taken at the start of a scheduled step (or of the step after a rollback or an unhealthy copy)
/// and becomes the state to return to only once its step proves healthy: its forward and backward on those weights were
/// fine. Two copies are allocated once and swap roles; a capture overwrites in place.
/// </remarks>
internal sealed class RollbackKeeper : IDisposable
{
    private readonly ModuleTree _tree;
    private readonly Schedule _schedule;
    private TrainingState? _pending; // taken at this step's start, kept if the step proves healthy
    private TrainingState? _target; // the state a rollback returns to
    private bool _pendingTaken;
    private bool _owed = true; // no healthy copy since the last rollback or unhealthy copy: copy at the next step

    public RollbackKeeper(ModuleTree tree, AnomalyPolicy policy, optim.Optimizer? optimizer, Schedule schedule)
    {
        _tree = tree;
        _schedule = schedule;
        Before = new StepSnapshot(tree);
        if (policy is AnomalyPolicy.Rollback or AnomalyPolicy.Heal)
        {
            _pending = new TrainingState(tree, optimizer);
            _target = new TrainingState(tree, optimizer);
        }
    }

    /// <summary>The random state and buffers as they were before this step's forward pass.</summary>
    public StepSnapshot Before { get; }

    /// <summary>Capture: the random state and buffers, and on the rollback schedule (or when one is owed) a rollback copy.</summary>
    public void Capture(long step)
    {
        Before.Capture();
        _pendingTaken = false;
        if (_pending is not null && (_owed || _schedule.IsDue(step)))
        {
            _pending.Capture(step);
            _pendingTaken = true;
        }
    }

    /// <summary>
    /// Undoes the step as <paramref name="policy"/> says when it acts on an anomaly: <see cref="AnomalyPolicy.SkipStep"/> and
    /// <see cref="AnomalyPolicy.Throw"/> leave no trace of the step (gradients zeroed, and the buffers its forward pass
    /// updated, BatchNorm running statistics that a NaN batch would poison, put back); <see cref="AnomalyPolicy.Rollback"/>
    /// and <see cref="AnomalyPolicy.Heal"/> do the same and return to the last healthy copy. Record and Warn undo nothing.
    /// </summary>
    /// <returns>Whether the model was rolled back.</returns>
    public bool Undo(AnomalyPolicy policy)
    {
        switch (policy)
        {
            case AnomalyPolicy.SkipStep:
            case AnomalyPolicy.Throw:
                ZeroGradients();
                Before.RestoreBuffers();
                return false;
            case AnomalyPolicy.Rollback:
            case AnomalyPolicy.Heal:
                ZeroGradients();
                Before.RestoreBuffers();
                _target?.Restore();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Settles the copy taken at this step's start: a healthy step's copy becomes the state to return to; an
    /// unhealthy step's is no state to return to, and the next step copies again.</summary>
    public void Settle(bool healthy)
    {
        if (!_pendingTaken)
            return;
        if (healthy)
        {
            (_target, _pending) = (_pending, _target);
            _owed = false;
        }
        else
        {
            _owed = true;
        }
    }

    public void Dispose()
    {
        Before.Dispose();
        _pending?.Dispose();
        _target?.Dispose();
    }

    private void ZeroGradients()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var p in _tree.Parameters)
            p.Tensor.grad?.zero_();
    }
}
