using TrainingDiagnostics.Kernels;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>The points and both result sets, allocated once and reused by every function (10^7 points: 1.5 GB in all).</summary>
internal sealed class Workspace(int points)
{
    /// <summary>Room for <c>points</c> points, and at least for one row of a multivariate function.</summary>
    public double[] Points { get; } = new double[Math.Max(points, JetArgs.MaxArity)];

    public double[][] Cpu { get; } = Enumerable.Range(0, Jet.MaxOrder + 1).Select(_ => new double[points]).ToArray();

    public double[][] Device { get; } = Enumerable.Range(0, Jet.MaxOrder + 1).Select(_ => new double[points]).ToArray();

    /// <summary>Fills <see cref="Points"/> with reproducible points in [low, high).</summary>
    public double[] Fill(double low, double high, int count)
    {
        var random = new Random(17);
        var span = Points.AsSpan(0, count);
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = low + (high - low) * random.NextDouble();
        }

        return Points;
    }
}
