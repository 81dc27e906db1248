using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>log(x): NaN for a negative activation.</summary>
internal sealed class LogLayer() : nn.Module<Tensor, Tensor>(nameof(LogLayer))
{
    public override Tensor forward(Tensor x) => x.log();
}

/// <summary>x / ‖x‖ per row: 0/0 = NaN for a zero row.</summary>
internal sealed class NormalizeLayer() : nn.Module<Tensor, Tensor>(nameof(NormalizeLayer))
{
    public override Tensor forward(Tensor x) => x / x.norm(1, keepdim: true);
}

/// <summary>sqrt(Σ x²) per row, appended to the features: finite forward, but the derivative of sqrt at 0 is infinite.</summary>
internal sealed class RowNormLayer() : nn.Module<Tensor, Tensor>(nameof(RowNormLayer))
{
    public override Tensor forward(Tensor x) => cat(new[] { x, (x * x).sum(1, keepdim: true).sqrt() }, 1);
}

/// <summary>A softmax without the max subtraction: exp overflows float32 above about 88.</summary>
internal sealed class NaiveSoftmax() : nn.Module<Tensor, Tensor>(nameof(NaiveSoftmax))
{
    public override Tensor forward(Tensor x)
    {
        var e = x.exp();
        return e / e.sum(1, keepdim: true);
    }
}

/// <summary>A custom block with a nested child, to check that the innermost producer is named.</summary>
internal sealed class Head : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> proj;
    private readonly nn.Module<Tensor, Tensor> squash;

    public Head(int inputs) : base(nameof(Head))
    {
        proj = nn.Linear(inputs, 3);
        squash = new LogLayer();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => squash.call(proj.call(x));
}

/// <summary>x + gate·sqrt(x²) (a smooth |x| feature) with a zero-initialized gate: a finite forward pass, but where x is
/// exactly 0 sqrt's infinite derivative meets a zero incoming gradient in the backward pass: 0/0 = NaN in SqrtBackward0.</summary>
internal sealed class GatedSqrt : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter gate = nn.Parameter(zeros(1));

    public GatedSqrt() : base(nameof(GatedSqrt)) => RegisterComponents();

    public override Tensor forward(Tensor x) => x + gate * (x * x).sqrt();
}
