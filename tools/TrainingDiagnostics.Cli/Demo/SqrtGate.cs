using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// The custom layer of <c>--fault sqrt</c>: <c>x + gate * sqrt(x * x)</c>, a learnable mix of x and |x| written the
/// naive way. Where x is exactly 0, sqrt's derivative is infinite and its backward pass gives NaN (0 / 0).
/// </summary>
internal sealed class SqrtGate : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter gate = nn.Parameter(full(1, 0.1f));

    public SqrtGate()
        : base(nameof(SqrtGate)) => RegisterComponents();

    public override Tensor forward(Tensor input) => input + (gate * (input * input).sqrt());
}
