using TorchSharp;
using TrainingDiagnostics.Jets;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// <see cref="TensorJet"/>'s storage and coefficient arithmetic for the one rule set (<c>TaylorRules</c>, shared with
/// the Kernels' scalar and SIMD jets): a coefficient is a tensor, a condition a bool tensor. The rules are bound by the
/// number of tensor operations at the sizes of a network's activations, so accumulations run in place (one fused
/// <c>addcmul_</c> per term) on the fresh tensors the rules hand them.
/// </summary>
internal readonly struct TensorArithmetic : ITaylorArithmetic<TensorJet, Tensor, Tensor>
{
    public static TensorJet Create(int order) => new(new Tensor[order + 1]);

    public static int OrderOf(ref TensorJet jet) => jet.Order;

    public static Tensor At(ref TensorJet jet, int k) => jet.C[k];

    public static void Set(ref TensorJet jet, int k, Tensor value) => jet.C[k] = value;

    public static Tensor Constant(double c, Tensor like) => full_like(like, c);

    public static Tensor Add(Tensor a, Tensor b) => a + b;

    public static Tensor Subtract(Tensor a, Tensor b) => a - b;

    public static Tensor Negate(Tensor a) => a.neg();

    public static Tensor AddScalar(Tensor a, double c) => a + c;

    public static Tensor Scale(Tensor a, double c) => a * c;

    public static Tensor DivideByScalar(Tensor a, double c) => a / c;

    public static Tensor Multiply(Tensor a, Tensor b) => a * b;

    public static Tensor Divide(Tensor a, Tensor b) => a / b;

    public static Tensor Weighted(Tensor a, Tensor b, double w) => w == 1 ? a * b : (a * b).mul_(w);

    public static Tensor MultiplyAdd(Tensor acc, Tensor a, Tensor b) => acc.addcmul_(a, b, 1);

    public static Tensor MultiplyAdd(Tensor acc, Tensor a, Tensor b, double w) => acc.addcmul_(a, b, w);

    public static Tensor AddTo(Tensor acc, Tensor x) => acc.add_(x);

    public static Tensor SubtractFrom(Tensor acc, Tensor x) => acc.neg_().add_(x);

    public static Tensor DivideBy(Tensor acc, Tensor d) => acc.div_(d);

    public static Tensor ExpOf(Tensor x) => x.exp();

    public static void SinCosOf(Tensor x, out Tensor sin, out Tensor cos)
    {
        sin = x.sin();
        cos = x.cos();
    }

    public static Tensor TanOf(Tensor x) => x.tan();

    public static Tensor TanhOf(Tensor x) => x.tanh();

    public static Tensor SigmoidOf(Tensor x) => x.sigmoid();

    public static Tensor SoftplusOf(Tensor x) => nn.functional.softplus(x);

    public static Tensor ErfOf(Tensor x) => x.erf();

    public static Tensor AtanOf(Tensor x) => x.atan();

    public static Tensor LogOf(Tensor x) => x.log();

    public static Tensor SqrtOf(Tensor x) => x.sqrt();

    public static Tensor PowOf(Tensor x, double r) => x.pow(r);

    public static Tensor IsZero(Tensor x) => x.eq(0);

    public static Tensor IsPositive(Tensor x) => x.gt(0);

    public static Tensor IsNegative(Tensor x) => x.lt(0);

    public static Tensor Not(Tensor m) => m.logical_not();

    public static Tensor And(Tensor a, Tensor b) => a.logical_and(b);

    public static Tensor Or(Tensor a, Tensor b) => a.logical_or(b);

    // On the CPU the answer costs one reduction; on a device it would cost a synchronization, so the fix-up runs.
    public static bool MayHold(Tensor m) => m.device_type != DeviceType.CPU || m.any().item<bool>();

    public static Tensor Select(Tensor m, Tensor a, Tensor b) => where(m, a, b);
}
