using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// A truncated Taylor polynomial of tensors, t -> Σ_k c_k t^k (k = 0..Order): the image of the line x + t·v under the
/// operations applied so far. <c>C[k]</c> is the k-th Taylor coefficient, the k-th derivative divided by k!. The rules that
/// propagate jets through operations live in <see cref="JetRules"/>.
/// </summary>
internal sealed class TensorJet
{
    public TensorJet(Tensor[] coefficients)
    {
        if (coefficients.Length == 0)
            throw new ArgumentException("A jet needs at least its value (order 0).", nameof(coefficients));
        C = coefficients;
    }

    /// <summary>The Taylor coefficients c_0..c_Order, all of one shape.</summary>
    public Tensor[] C { get; }

    public int Order => C.Length - 1;

    public Tensor Value => C[0];

    /// <summary>The jet of the line x + t·v: coefficients x, v, 0, 0, ...</summary>
    public static TensorJet Line(Tensor x, Tensor v, int order)
    {
        var c = new Tensor[order + 1];
        c[0] = x;
        for (int k = 1; k <= order; k++)
            c[k] = k == 1 ? v : zeros_like(x);
        return new TensorJet(c);
    }

    /// <summary>A constant: coefficients value, 0, 0, ...</summary>
    public static TensorJet Constant(Tensor value, int order)
    {
        var c = new Tensor[order + 1];
        c[0] = value;
        for (int k = 1; k <= order; k++)
            c[k] = zeros_like(value);
        return new TensorJet(c);
    }

    /// <summary>The derivatives d^k/dt^k at t = 0: c_k · k!.</summary>
    public Tensor[] Derivatives()
    {
        var d = new Tensor[C.Length];
        double factorial = 1;
        for (int k = 0; k < C.Length; k++)
        {
            if (k > 1)
                factorial *= k;
            d[k] = k < 2 ? C[k] : C[k] * factorial;
        }
        return d;
    }

    /// <summary>Applies a linear map to every coefficient (reshape, flatten, a sum, a bias-free linear layer).</summary>
    public TensorJet Map(Func<Tensor, Tensor> linear) => new(C.Select(linear).ToArray());

    public static TensorJet operator +(TensorJet a, TensorJet b) => JetRules.Add(a, b);

    public static TensorJet operator -(TensorJet a, TensorJet b) => JetRules.Subtract(a, b);

    public static TensorJet operator *(TensorJet a, TensorJet b) => JetRules.Multiply(a, b);

    public static TensorJet operator /(TensorJet a, TensorJet b) => JetRules.Divide(a, b);

    public static TensorJet operator *(TensorJet a, double s) => JetRules.Scale(a, s);

    public static TensorJet operator -(TensorJet a) => JetRules.Scale(a, -1);
}
