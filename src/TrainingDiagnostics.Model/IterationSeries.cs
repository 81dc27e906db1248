namespace TrainingDiagnostics.Model;

/// <summary>
/// One quantity a closed trainer reported at each of its iterations while it fitted (an ML.NET trainer's progress:
/// SDCA's primal and dual loss and duality gap, L-BFGS's loss and improvement...), as parallel lists of iteration
/// numbers and values. Carried by <see cref="ObservedFitRecord.Series"/>.
/// </summary>
/// <remarks>Long fits are thinned when recorded (every other point dropped each time the series fills, the last point always
/// kept), so a series holds a bounded number of points spread over the whole fit.</remarks>
public sealed record IterationSeries
{
    /// <summary>
    /// The series' name: the trainer's prefix and the quantity, in lower case with underscores, for example
    /// <c>sdca/duality_gap</c> or <c>lbfgs/loss</c>; a second run of the same optimizer within one fit (one L-BFGS per class
    /// in one-versus-all) is <c>lbfgs#2/loss</c>.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The iteration of each value, in the order reported (as the trainer counts them: SDCA from 1, L-BFGS from 0).</summary>
    public IReadOnlyList<long> Iterations { get; init; } = [];

    /// <summary>The value at each iteration, parallel to <see cref="Iterations"/>; may hold NaN or infinities.</summary>
    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Value equality, comparing the lists element by element (NaN equals NaN).</summary>
    /// <param name="other">The series to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(IterationSeries? other) =>
        other is not null && Name == other.Name && Iterations.SequenceEqual(other.Iterations) && Values.SequenceEqual(other.Values);

    /// <summary>A hash consistent with <see cref="Equals(IterationSeries?)"/>.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, Iterations.Count);
}
