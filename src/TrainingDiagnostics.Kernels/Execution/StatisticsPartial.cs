namespace TrainingDiagnostics.Kernels.Execution;

/// <summary>Partial statistics of part of a buffer; partials of disjoint parts merge exactly (counts, min, max).</summary>
internal struct StatisticsPartial
{
    public long NaN;
    public long PositiveInfinity;
    public long NegativeInfinity;
    public double SumOfSquares;
    public double Min;
    public double Max;

    public static StatisticsPartial Empty => new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };

    public void Merge(in StatisticsPartial other)
    {
        NaN += other.NaN;
        PositiveInfinity += other.PositiveInfinity;
        NegativeInfinity += other.NegativeInfinity;
        SumOfSquares += other.SumOfSquares;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    public readonly BufferStatistics ToStatistics(long count)
    {
        // No finite element: min and max are undefined, not ±∞.
        bool any = Min <= Max;
        return new BufferStatistics(
            count, NaN, PositiveInfinity, NegativeInfinity, SumOfSquares,
            any ? Min : double.NaN, any ? Max : double.NaN);
    }
}
