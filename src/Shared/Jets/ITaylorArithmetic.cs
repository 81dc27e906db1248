namespace TrainingDiagnostics.Jets;

/// <summary>
/// What the one Taylor rule set (<see cref="TaylorRules{TJet, TC, TMask, TOps}"/>) needs of a jet type: its coefficient
/// storage and the arithmetic of one coefficient. An internal struct beside each jet type implements it with plain
/// static members, which ILGPU compiles inside kernels (measured: ILGPU 1.5.3 failed to compile the rules when
/// <c>Jet</c> implemented the interface explicitly, with instance members):
/// for the scalar jet of the kernels (<c>TC</c> = double, <c>TMask</c> = bool), for the SIMD lane jets
/// (<c>TC</c> = <c>Vector&lt;double&gt;</c>, <c>TMask</c> = <c>Vector&lt;long&gt;</c>) and for the tensor jets of
/// <c>Taylor.Forward</c> (<c>TC</c> = <c>Tensor</c>, <c>TMask</c> = a bool <c>Tensor</c>).
/// </summary>
/// <remarks>
/// This file is compiled into TrainingDiagnostics.Kernels and TrainingDiagnostics.Core (a linked source, internal in
/// each): Core cannot reference Kernels (ILGPU) nor Kernels Core (TorchSharp), and a rule table is not worth a package
/// of its own. Members whose first parameter is <c>acc</c> may overwrite it and return it (a tensor accumulates in place);
/// the rules pass there only coefficients they have just made. All others leave their arguments alone.
/// </remarks>
/// <typeparam name="TJet">The jet type.</typeparam>
/// <typeparam name="TC">One coefficient: a double, a SIMD vector of doubles, a tensor.</typeparam>
/// <typeparam name="TMask">An element-wise condition on coefficients.</typeparam>
internal interface ITaylorArithmetic<TJet, TC, TMask>
{
    /// <summary>The truncation order of a jet: coefficients 0..order are known.</summary>
    static abstract int OrderOf(ref TJet jet);

    /// <summary>A jet of the given order whose coefficients 0..order the rule sets, every one of them, before reading.</summary>
    static abstract TJet Create(int order);

    /// <summary>Coefficient k (0..order) of a jet.</summary>
    static abstract TC At(ref TJet jet, int k);

    /// <summary>Sets coefficient k (0..order) of a jet.</summary>
    static abstract void Set(ref TJet jet, int k, TC value);

    // ---- one coefficient: arithmetic

    /// <summary>c as a coefficient shaped like <paramref name="like"/>.</summary>
    static abstract TC Constant(double c, TC like);

    /// <summary>a + b.</summary>
    static abstract TC Add(TC a, TC b);

    /// <summary>a − b.</summary>
    static abstract TC Subtract(TC a, TC b);

    /// <summary>−a.</summary>
    static abstract TC Negate(TC a);

    /// <summary>a + c.</summary>
    static abstract TC AddScalar(TC a, double c);

    /// <summary>a·c.</summary>
    static abstract TC Scale(TC a, double c);

    /// <summary>a / c.</summary>
    static abstract TC DivideByScalar(TC a, double c);

    /// <summary>a·b.</summary>
    static abstract TC Multiply(TC a, TC b);

    /// <summary>a / b.</summary>
    static abstract TC Divide(TC a, TC b);

    /// <summary>w·a·b.</summary>
    static abstract TC Weighted(TC a, TC b, double w);

    /// <summary>acc + a·b.</summary>
    static abstract TC MultiplyAdd(TC acc, TC a, TC b);

    /// <summary>acc + w·a·b.</summary>
    static abstract TC MultiplyAdd(TC acc, TC a, TC b, double w);

    /// <summary>acc + x.</summary>
    static abstract TC AddTo(TC acc, TC x);

    /// <summary>x − acc.</summary>
    static abstract TC SubtractFrom(TC acc, TC x);

    /// <summary>acc / d.</summary>
    static abstract TC DivideBy(TC acc, TC d);

    // ---- one coefficient: the values of the elementary functions (coefficient 0 of each rule)

    /// <summary>e^x.</summary>
    static abstract TC ExpOf(TC x);

    /// <summary>sin x and cos x.</summary>
    static abstract void SinCosOf(TC x, out TC sin, out TC cos);

    /// <summary>tan x.</summary>
    static abstract TC TanOf(TC x);

    /// <summary>tanh x.</summary>
    static abstract TC TanhOf(TC x);

    /// <summary>The logistic sigmoid, overflow-safe.</summary>
    static abstract TC SigmoidOf(TC x);

    /// <summary>log(1 + e^x), overflow-safe.</summary>
    static abstract TC SoftplusOf(TC x);

    /// <summary>erf x.</summary>
    static abstract TC ErfOf(TC x);

    /// <summary>atan x.</summary>
    static abstract TC AtanOf(TC x);

    /// <summary>log x (−∞ at 0, NaN below).</summary>
    static abstract TC LogOf(TC x);

    /// <summary>√x.</summary>
    static abstract TC SqrtOf(TC x);

    /// <summary>x^r.</summary>
    static abstract TC PowOf(TC x, double r);

    // ---- element-wise conditions, for the edges of the domains

    /// <summary>x = 0, element-wise.</summary>
    static abstract TMask IsZero(TC x);

    /// <summary>x &gt; 0, element-wise (false for NaN).</summary>
    static abstract TMask IsPositive(TC x);

    /// <summary>x &lt; 0, element-wise (false for NaN).</summary>
    static abstract TMask IsNegative(TC x);

    /// <summary>Not m.</summary>
    static abstract TMask Not(TMask m);

    /// <summary>a and b.</summary>
    static abstract TMask And(TMask a, TMask b);

    /// <summary>a or b.</summary>
    static abstract TMask Or(TMask a, TMask b);

    /// <summary>
    /// False only when no element of m holds: the rule may then skip an edge's fix-up. A type that cannot tell cheaply
    /// (a tensor on a device would have to synchronize) answers true.
    /// </summary>
    static abstract bool MayHold(TMask m);

    /// <summary>Element-wise m ? a : b.</summary>
    static abstract TC Select(TMask m, TC a, TC b);
}
