using TorchSharp;
using TrainingDiagnostics.Anomalies;
using TrainingDiagnostics.HigherOrder;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The curvature probe: on a due step whose loss and gradients are finite, builds the Hessian of the step's own loss (same
/// batch, same weights, same random state: the dropout mask of the step) with <see cref="HessianOperator.ForLoss(nn.Module, Func{Tensor})"/>
/// and estimates its top eigenvalue (Lanczos) and its trace (Hutchinson) within <see cref="MonitorOptions.CurvatureMatVecBudget"/>
/// Hessian-vector products, recorded as curvature records and published as <see cref="Quantities.TopHessianEigenvalue"/>
/// and <see cref="Quantities.HessianTrace"/>. Cost: one forward pass, one graph-building backward pass and at most the
/// budget of backward passes.
/// </summary>
/// <remarks>
/// Changes no training result: the step's <c>.grad</c>, the buffers, the train/eval modes and the CPU random state are as
/// the step left them (the operator restores them, and the random state the step moved is put back afterwards). The
/// monitor's BatchNorm checks are suspended during the extra forward pass, which must not report the step twice.
/// The Hessian is taken on a graph of its own: BatchNorm layers in train mode normalize with the batch's statistics without
/// reading or writing their running buffers, so the monitor's later in-place restore of those buffers (the skip of a batch of one)
/// cannot invalidate it; and the graph is built with <c>torch.autograd.grad</c>, which writes no <c>.grad</c> (no reference cycle).
/// A failure is contained by the monitor like any instrument's.
/// </remarks>
internal sealed class CurvatureInstrument : Instrument
{
    /// <summary>The base seed of the probes; the step is added, so successive estimates use independent probes.</summary>
    private const int Seed = 20240601;

    private static readonly Quantity[] Published = [Quantities.TopHessianEigenvalue, Quantities.HessianTrace];

    private readonly int _budget;
    private readonly StepSnapshot _before;
    private readonly BatchNormWatch _batchNorm;
    public CurvatureInstrument(Schedule schedule, int matVecBudget, StepSnapshot before, BatchNormWatch batchNorm)
        : base("curvature", CostTier.Full, schedule)
    {
        _budget = matVecBudget;
        _before = before;
        _batchNorm = batchNorm;
    }

    public override IReadOnlyCollection<Quantity> Publishes => Published;

    /// <summary>The part of a budget the eigenvalue may spend: two fifths (20 of the default 50), at least one.</summary>
    public static int EigenBudget(int budget) => Math.Max(1, budget * 2 / 5);

    public override void Compute(InstrumentContext context)
    {
        if (!context.GradientsFinite)
            return;
        using var scope = NewDisposeScope();
        var after = get_rng_state(); // where the step left the random state: put back whatever the estimate does
        bool suspended = _batchNorm.Suspended;
        _batchNorm.Suspended = true;
        HessianOperator h;
        try
        {
            _before.RestoreRandomState(); // the step's own dropout mask: the Hessian of the loss the optimizer sees
            // The step's own backward pass of this closure succeeded: build the gradient graph with autograd.grad.
            h = HessianOperator.ForLoss(context.Model, context.LossClosure, new HessianOptions(), lossProven: true);
        }
        finally
        {
            _batchNorm.Suspended = suspended;
            set_rng_state(after);
        }

        using (h)
        {
            int seed = unchecked(Seed + (int)context.Step);
            var eigen = Curvature.TopEigenvalues(h, 1, new EigenOptions { MaxMatVecs = EigenBudget(_budget), Tolerance = 1e-3, Seed = seed });
            context.RecordCurvature(new CurvatureRecord
            {
                Step = context.Step,
                Quantity = CurvatureQuantity.TopEigenvalue,
                Value = eigen.Values[0],
                Residual = eigen.Residuals[0],
                MatVecs = eigen.MatVecs,
                Converged = eigen.Converged,
            });
            context.Publish(Quantities.TopHessianEigenvalue, eigen.Values[0]);
            // The trace gets the rest of the budget, including what Lanczos left unused when it converged early.
            int traceBudget = _budget - eigen.MatVecs;
            if (traceBudget < 2)
                return;
            var trace = Curvature.Trace(h, new TraceOptions
            {
                MaxMatVecs = traceBudget,
                MinMatVecs = Math.Min(traceBudget, 10),
                Tolerance = 0.01,
                Seed = unchecked(seed + 1),
            });
            context.RecordCurvature(new CurvatureRecord
            {
                Step = context.Step,
                Quantity = CurvatureQuantity.Trace,
                Value = trace.Value,
                StandardError = trace.StandardError,
                MatVecs = trace.MatVecs,
                Converged = trace.StandardError <= 0.01 * Math.Abs(trace.Value),
            });
            context.Publish(Quantities.HessianTrace, trace.Value);
        }
    }
}
