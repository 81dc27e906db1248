using System.Collections;

namespace TrainingDiagnostics.Model;

/// <summary>
/// A step's per-parameter statistics held as columns (one array per quantity, in the order of a shared name list), as
/// the version-2 run log stores them. It is the <see cref="StepRecord.Layers"/> of every step read from such a log:
/// the same list of <see cref="LayerStatistics"/> to a caller, and a consumer that folds many steps can read the
/// columns directly (and notice that consecutive steps share one <see cref="Names"/> instance) instead of building a
/// record per parameter.
/// </summary>
public sealed class ParameterColumns : IReadOnlyList<LayerStatistics>
{
    private readonly string[] _names;
    private readonly double?[] _gradient;
    private readonly double?[]? _weight;
    private readonly double?[]? _update;

    /// <summary>Creates columns over <paramref name="names"/>; each non-null column has one entry per name.</summary>
    /// <param name="names">The parameter names, shared (not copied) between steps that list the same parameters.</param>
    /// <param name="gradientNorms">The gradient norms, null entries where not measured.</param>
    /// <param name="weightNorms">The weight norms, or null when none was measured.</param>
    /// <param name="updateRatios">The update ratios, or null when none was measured.</param>
    /// <exception cref="ArgumentException">A column's length differs from the number of names.</exception>
    public ParameterColumns(string[] names, double?[] gradientNorms, double?[]? weightNorms = null, double?[]? updateRatios = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(gradientNorms);
        if (gradientNorms.Length != names.Length || (weightNorms?.Length ?? names.Length) != names.Length || (updateRatios?.Length ?? names.Length) != names.Length)
        {
            throw new ArgumentException("Every column needs one entry per parameter name.", nameof(gradientNorms));
        }

        _names = names;
        _gradient = gradientNorms;
        _weight = weightNorms;
        _update = updateRatios;
    }

    /// <summary>The parameter names; steps read from one <c>parameters</c> line share this instance.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The gradient norm of each parameter (null: not measured).</summary>
    public ReadOnlySpan<double?> GradientNorms => _gradient;

    /// <summary>The weight norm of each parameter, or an empty span when none was measured at this step.</summary>
    public ReadOnlySpan<double?> WeightNorms => _weight;

    /// <summary>The update ratio of each parameter, or an empty span when none was measured at this step.</summary>
    public ReadOnlySpan<double?> UpdateRatios => _update;

    /// <summary>The number of parameters.</summary>
    public int Count => _names.Length;

    /// <summary>The statistics of the parameter at <paramref name="index"/>, built on demand.</summary>
    /// <param name="index">The parameter's position.</param>
    public LayerStatistics this[int index] => new()
    {
        Name = _names[index],
        GradientNorm = _gradient[index],
        WeightNorm = _weight?[index],
        UpdateRatio = _update?[index],
    };

    /// <summary>Enumerates the parameters' statistics in order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<LayerStatistics> GetEnumerator()
    {
        for (int i = 0; i < _names.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
