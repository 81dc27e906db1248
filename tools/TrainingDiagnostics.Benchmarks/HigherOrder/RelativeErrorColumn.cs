using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TrainingDiagnostics.HigherOrder;

namespace TrainingDiagnostics.Benchmarks.HigherOrder;

/// <summary>The mean relative error of the benchmark case's estimator over <see cref="TraceAccuracyBenchmarks.Seeds"/> seeds.</summary>
internal sealed class RelativeErrorColumn : IColumn
{
    private readonly Dictionary<(string, int), double> _cache = new();

    public string Id => nameof(RelativeErrorColumn);
    public string ColumnName => "MeanRelErr";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"mean |estimate - tr(H)| / tr(H) over {TraceAccuracyBenchmarks.Seeds} seeds (λ_i = 1/i², n = {TraceAccuracyBenchmarks.Dimension})";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var method = benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(TraceAccuracyBenchmarks.HutchPlusPlus)
            ? TraceMethod.HutchPlusPlus
            : TraceMethod.Hutchinson;
        int matVecs = (int)benchmarkCase.Parameters[nameof(TraceAccuracyBenchmarks.MatVecs)];
        if (!_cache.TryGetValue((method.ToString(), matVecs), out double error))
        {
            var (h, a) = TraceAccuracyBenchmarks.Problem();
            using (h)
            using (a)
            {
                double truth = TraceAccuracyBenchmarks.Truth;
                error = Enumerable.Range(0, TraceAccuracyBenchmarks.Seeds)
                    .Average(seed => Math.Abs(Curvature.Trace(h, TraceAccuracyBenchmarks.Options(method, matVecs, seed)).Value - truth) / truth);
            }
            _cache[(method.ToString(), matVecs)] = error;
        }
        return error.ToString("E2", System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
