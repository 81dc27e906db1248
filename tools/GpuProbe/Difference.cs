namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// The largest relative difference between a device's values and the CPU executor's, as the Kernels tests measure it:
/// |device − cpu| / max(1, |cpu|) (relative for large values, absolute for small ones). Non-finite values must match
/// exactly (NaN with NaN, an infinity with the same infinity); a pair that does not is counted, not measured.
/// </summary>
internal struct Difference
{
    public double MaxRelative;
    public long NonFiniteMismatches;

    public void Add(ReadOnlySpan<double> cpu, ReadOnlySpan<double> device)
    {
        for (int i = 0; i < cpu.Length; i++)
        {
            double expected = cpu[i], actual = device[i];
            if (double.IsFinite(expected) && double.IsFinite(actual))
            {
                MaxRelative = Math.Max(MaxRelative, Math.Abs(actual - expected) / Math.Max(1, Math.Abs(expected)));
            }
            else if (!(expected.Equals(actual)))
            {
                // double.Equals counts NaN as equal to NaN, unlike ==.
                NonFiniteMismatches++;
            }
        }
    }

    public void Add(Difference other)
    {
        MaxRelative = Math.Max(MaxRelative, other.MaxRelative);
        NonFiniteMismatches += other.NonFiniteMismatches;
    }
}
