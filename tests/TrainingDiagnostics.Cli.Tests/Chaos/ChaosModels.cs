using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Cli.Tests.Chaos;

/// <summary>
/// The models of the chaos matrix, each a digits classifier (64 features, 10 classes) of a shape users write: with BatchNorm,
/// with Dropout, a custom module with in-place operations, and nested modules. A fault that needs a layer (a BatchNorm for the
/// batch of one, a sqrt gate for the sqrt fault) gets it after the first linear layer, as the demo does.
/// </summary>
internal static class ChaosModels
{
    public const int Features = 64, Classes = 10, Hidden = 24;

    public static readonly string[] Names = ["batchnorm", "dropout", "inplace-custom", "nested"];

    public static nn.Module<Tensor, Tensor> Build(string name, bool batchNorm, bool sqrtGate) => name switch
    {
        "batchnorm" => nn.Sequential(Layers(("fc1", nn.Linear(Features, Hidden, hasBias: !sqrtGate)), sqrtGate ? ("gate", new Gate()) : null,
            ("bn", nn.BatchNorm1d(Hidden)), ("relu", nn.ReLU()), ("fc2", nn.Linear(Hidden, Classes)))),
        "dropout" => nn.Sequential(Layers(("fc1", nn.Linear(Features, Hidden, hasBias: !sqrtGate)), sqrtGate ? ("gate", new Gate()) : null,
            batchNorm ? ("bn", nn.BatchNorm1d(Hidden)) : null, ("relu", nn.ReLU()), ("drop", nn.Dropout(0.3)), ("fc2", nn.Linear(Hidden, Classes)))),
        "inplace-custom" => new InPlaceNet(batchNorm, sqrtGate),
        "nested" => nn.Sequential(
            ("encoder", nn.Sequential(Layers(("fc1", nn.Linear(Features, Hidden, hasBias: !sqrtGate)), sqrtGate ? ("gate", new Gate()) : null,
                batchNorm ? ("bn", nn.BatchNorm1d(Hidden)) : null, ("act", nn.Tanh())))),
            ("head", nn.Sequential(("block", new Residual(Hidden)), ("out", nn.Linear(Hidden, Classes))))),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown chaos model"),
    };

    private static (string, nn.Module<Tensor, Tensor>)[] Layers(params (string, nn.Module<Tensor, Tensor>)?[] layers) =>
        layers.Where(l => l is not null).Select(l => l!.Value).ToArray();

    /// <summary>x + g·sqrt(x²): fine until a row of exact zeros reaches it, whose gradient is NaN (the demo's sqrt fault).</summary>
    internal sealed class Gate : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter gate = nn.Parameter(full(1, 0.1f));

        public Gate()
            : base("SqrtGate") => RegisterComponents();

        public override Tensor forward(Tensor input) => input + (gate * (input * input).sqrt());
    }

    /// <summary>A custom module with in-place operations: an in-place ReLU and an in-place scaling of a linear layer's output.</summary>
    private sealed class InPlaceNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> fc1;
        private readonly nn.Module<Tensor, Tensor>? bn;
        private readonly nn.Module<Tensor, Tensor>? gate;
        private readonly nn.Module<Tensor, Tensor> relu = nn.ReLU(inplace: true);
        private readonly nn.Module<Tensor, Tensor> fc2 = nn.Linear(Hidden, Classes);

        public InPlaceNet(bool batchNorm, bool sqrtGate)
            : base(nameof(InPlaceNet))
        {
            fc1 = nn.Linear(Features, Hidden, hasBias: !sqrtGate);
            bn = batchNorm ? nn.BatchNorm1d(Hidden) : null;
            gate = sqrtGate ? new Gate() : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var h = fc1.call(input);
            h.mul_(0.5); // in place on a tensor no backward formula saved (Linear saves its input and weight)
            if (gate is not null)
                h = gate.call(h);
            if (bn is not null)
                h = bn.call(h);
            h = relu.call(h); // in place
            return fc2.call(h);
        }
    }

    /// <summary>A nested custom block that calls its children with call(): y = x + tanh(W x).</summary>
    private sealed class Residual : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        private readonly nn.Module<Tensor, Tensor> act = nn.Tanh();

        public Residual(int width)
            : base(nameof(Residual))
        {
            inner = nn.Linear(width, width);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => input + act.call(inner.call(input));
    }
}
