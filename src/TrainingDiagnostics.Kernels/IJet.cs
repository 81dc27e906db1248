namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The arithmetic shared by <see cref="Jet"/> (one point; runs in kernels) and <see cref="JetLanes"/> (a
/// SIMD vector of points; CPU only), so that a function body can be written once as a generic method and
/// serve both <see cref="IUnaryFunction"/> and <see cref="ILaneFunction"/>:
/// <code>
/// public readonly struct F : IUnaryFunction, ILaneFunction
/// {
///     public Jet Invoke(Jet x) => Invoke&lt;Jet&gt;(x);
///     public T Invoke&lt;T&gt;(T x) where T : struct, IJet&lt;T&gt; => T.Exp(T.Sin(x)) * x * x;
/// }
/// </code>
/// Every member has the meaning and cost documented on <see cref="Jet"/>.
/// </summary>
/// <typeparam name="TSelf">The jet type itself.</typeparam>
public interface IJet<TSelf>
    where TSelf : struct, IJet<TSelf>
{
    /// <summary>The truncation order.</summary>
    int Order { get; }

    /// <summary>A constant jet (all lanes equal for <see cref="JetLanes"/>).</summary>
    /// <param name="c">The constant.</param>
    /// <param name="order">The truncation order.</param>
    static abstract TSelf Constant(double c, int order);

    /// <summary>Negation.</summary>
    /// <param name="a">The operand.</param>
    static abstract TSelf operator -(TSelf a);

    /// <summary>Sum.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>Difference.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    static abstract TSelf operator -(TSelf a, TSelf b);

    /// <summary>Product (Cauchy convolution).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    static abstract TSelf operator *(TSelf a, TSelf b);

    /// <summary>Quotient.</summary>
    /// <param name="a">The numerator.</param>
    /// <param name="b">The denominator.</param>
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>Adds a constant.</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The constant.</param>
    static abstract TSelf operator +(TSelf a, double c);

    /// <summary>Adds a constant.</summary>
    /// <param name="c">The constant.</param>
    /// <param name="a">The jet.</param>
    static abstract TSelf operator +(double c, TSelf a);

    /// <summary>Subtracts a constant.</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The constant.</param>
    static abstract TSelf operator -(TSelf a, double c);

    /// <summary>A constant minus the jet.</summary>
    /// <param name="c">The constant.</param>
    /// <param name="a">The jet.</param>
    static abstract TSelf operator -(double c, TSelf a);

    /// <summary>Scales.</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The factor.</param>
    static abstract TSelf operator *(TSelf a, double c);

    /// <summary>Scales.</summary>
    /// <param name="c">The factor.</param>
    /// <param name="a">The jet.</param>
    static abstract TSelf operator *(double c, TSelf a);

    /// <summary>Divides by a constant.</summary>
    /// <param name="a">The jet.</param>
    /// <param name="c">The divisor.</param>
    static abstract TSelf operator /(TSelf a, double c);

    /// <summary>A constant divided by the jet.</summary>
    /// <param name="c">The numerator.</param>
    /// <param name="a">The denominator.</param>
    static abstract TSelf operator /(double c, TSelf a);

    /// <summary>sin(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Sin(TSelf u);

    /// <summary>cos(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Cos(TSelf u);

    /// <summary>tan(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Tan(TSelf u);

    /// <summary>exp(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Exp(TSelf u);

    /// <summary>log(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Log(TSelf u);

    /// <summary>√u.</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Sqrt(TSelf u);

    /// <summary>tanh(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Tanh(TSelf u);

    /// <summary>The logistic sigmoid.</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Sigmoid(TSelf u);

    /// <summary>softplus(u) = log(1 + e^u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Softplus(TSelf u);

    /// <summary>erf(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Erf(TSelf u);

    /// <summary>atan(u).</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Atan(TSelf u);

    /// <summary>u^r.</summary>
    /// <param name="u">The base.</param>
    /// <param name="r">The exponent.</param>
    static abstract TSelf Pow(TSelf u, double r);

    /// <summary>u^v.</summary>
    /// <param name="u">The base.</param>
    /// <param name="v">The exponent.</param>
    static abstract TSelf Pow(TSelf u, TSelf v);

    /// <summary>|u|.</summary>
    /// <param name="u">The argument.</param>
    static abstract TSelf Abs(TSelf u);
}
