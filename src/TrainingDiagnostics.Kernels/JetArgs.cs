namespace TrainingDiagnostics.Kernels;

/// <summary>
/// The inputs of an <see cref="IMultivariateFunction"/> as jets, for one directional pass: input
/// <see cref="Direction"/> is the variable (<see cref="Jet.Variable"/>), every other input a constant.
/// Pushing f through it gives the derivatives of f along that coordinate:
/// <c>f(x + t·e_d) = f(x) + ∂_d f·t + ½∂²_d f·t² + …</c>.
/// </summary>
/// <remarks>
/// A value type with the coordinates in a fixed buffer (up to <see cref="MaxArity"/>), so kernels can
/// build it in registers or local memory. Reading an input is O(1) and creates the jet on demand; an
/// index outside 0..<see cref="Count"/>−1 reads a NaN jet (kernels cannot throw).
/// </remarks>
public unsafe struct JetArgs
{
    /// <summary>The largest number of inputs a function may take.</summary>
    public const int MaxArity = 32;

    private fixed double _x[MaxArity];
    private int _count;
    private int _direction;
    private int _order;

    /// <summary>The number of inputs.</summary>
    public readonly int Count => _count;

    /// <summary>The index of the input that varies (the others are constants).</summary>
    public readonly int Direction => _direction;

    /// <summary>The order of every jet handed out.</summary>
    public readonly int Order => _order;

    /// <summary>
    /// The i-th input as a jet: <c>Variable(x_i, Order)</c> when i is <see cref="Direction"/>, else
    /// <c>Constant(x_i, Order)</c>. O(1).
    /// </summary>
    /// <param name="i">The input index, 0..Count−1.</param>
    public readonly Jet this[int i]
    {
        get
        {
            double x = (uint)i < (uint)_count ? _x[i] : double.NaN;
            return i == _direction ? Jet.Variable(x, _order) : Jet.Constant(x, _order);
        }
    }

    /// <summary>The plain value of the i-th input; NaN outside 0..Count−1. O(1).</summary>
    /// <param name="i">The input index.</param>
    public readonly double Point(int i) => (uint)i < (uint)_count ? _x[i] : double.NaN;

    /// <summary>
    /// Inputs for a pass along coordinate <paramref name="direction"/> at <paramref name="point"/>: call a
    /// function with it to get its value and derivatives along that axis. Host code (validates and may throw).
    /// </summary>
    /// <param name="point">The coordinates, 1..<see cref="MaxArity"/> of them.</param>
    /// <param name="direction">The coordinate that varies, 0..point.Length−1.</param>
    /// <param name="order">The jet order, 0..<see cref="Jet.MaxOrder"/>.</param>
    /// <exception cref="ArgumentException">A length, direction or order out of range.</exception>
    public static JetArgs Directional(ReadOnlySpan<double> point, int direction, int order)
    {
        if (point.Length is < 1 or > MaxArity)
        {
            throw new ArgumentException(
                $"JetArgs holds 1 to {MaxArity} inputs, but the point has {point.Length} coordinates. " +
                "For more inputs differentiate with TrainingDiagnostics.Autodiff (TorchSharp) instead.",
                nameof(point));
        }

        if ((uint)direction >= (uint)point.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(direction), direction,
                $"The direction must be a coordinate index 0..{point.Length - 1} of the point, but {direction} came.");
        }

        if ((uint)order > Jet.MaxOrder)
        {
            throw new ArgumentOutOfRangeException(
                nameof(order), order, $"The order must be 0..{Jet.MaxOrder}, but {order} came.");
        }

        var args = Create(point.Length, direction, order);
        for (int i = 0; i < point.Length; i++)
        {
            args._x[i] = point[i];
        }

        return args;
    }

    // Kernel-side construction: the caller copies the row in with Set, coordinate by coordinate.
    internal static JetArgs Create(int count, int direction, int order)
    {
        JetArgs args = default;
        args._count = count;
        args._direction = direction;
        args._order = order;
        return args;
    }

    internal void Set(int i, double x) => _x[i] = x;
}
