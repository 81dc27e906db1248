namespace TrainingDiagnostics.Kernels;

/// <summary>
/// What <see cref="PointwiseEngine.Analyze{TFunction}(ReadOnlySpan{double}, DerivativeSet)"/> computes per
/// row; combine with <c>|</c>. <see cref="Value"/> and <see cref="Gradient"/> need first-order jets;
/// <see cref="HessianDiagonal"/> and <see cref="Laplacian"/> second-order ones (each product then costs
/// 6 multiply-adds instead of 3).
/// </summary>
[Flags]
public enum DerivativeSet
{
    /// <summary>Nothing (rejected: ask for at least one quantity).</summary>
    None = 0,

    /// <summary>f at each row.</summary>
    Value = 1,

    /// <summary>∂f/∂x_i for every coordinate i (first-order jets).</summary>
    Gradient = 2,

    /// <summary>∂²f/∂x_i² for every coordinate i (second-order jets).</summary>
    HessianDiagonal = 4,

    /// <summary>Δf = Σ_i ∂²f/∂x_i² (second-order jets).</summary>
    Laplacian = 8,

    /// <summary>Everything above.</summary>
    All = Value | Gradient | HessianDiagonal | Laplacian,
}
