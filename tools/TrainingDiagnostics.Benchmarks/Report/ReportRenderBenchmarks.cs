using BenchmarkDotNet.Attributes;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>
/// Issue target: a run of 100,000 steps x 200 parameters renders to at most 5 MB. Measures the time to render it
/// (and to judge it) against a baseline that only touches every per-parameter record once, the least any renderer
/// must do: the ratio says how many such passes a report costs. The report's size is printed by the setup.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*ReportRender*' --job short</c>.</remarks>
[MemoryDiagnoser(false)]
public class ReportRenderBenchmarks
{
    private StepRecord[] _steps = null!;
    private DiagnosticsRun _run = null!;

    /// <summary>Steps in the run.</summary>
    [Params(10_000, 100_000)]
    public int Steps { get; set; }

    /// <summary>Parameter tensors per step.</summary>
    [Params(200)]
    public int Parameters { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Use(0, nameof(ReportRenderBenchmarks));
        var random = new Random(3);
        string[] names = Enumerable.Range(0, Parameters).Select(i => $"encoder.block{i / 2}.{(i % 2 == 0 ? "weight" : "bias")}").ToArray();
        _steps = new StepRecord[Steps];
        for (int s = 0; s < Steps; s++)
        {
            var layers = new LayerStatistics[Parameters];
            for (int p = 0; p < Parameters; p++)
            {
                layers[p] = new LayerStatistics
                {
                    Name = names[p],
                    GradientNorm = s == Steps / 2 && p == 7 ? double.NaN : Math.Exp((-0.02 * p) + random.NextDouble() - (2.0 * s / Steps)),
                    WeightNorm = 1 + p,
                    UpdateRatio = s % 10 == 0 ? 1e-3 * Math.Exp(random.NextDouble()) : null,
                };
            }

            _steps[s] = new StepRecord { Step = s, Loss = (2.3 * Math.Exp(-3.0 * s / Steps)) + (0.05 * random.NextDouble()), Layers = layers, ElapsedMilliseconds = 2.5 };
        }

        _run = new DiagnosticsRun
        {
            Metadata = new RunMetadata { RunName = "benchmark run", Device = "cpu" },
            Steps = _steps,
            Anomalies =
            [
                new AnomalyEvent { Kind = AnomalyKind.NonFiniteGradient, Step = Steps / 2, Phase = AnomalyPhase.Backward, ModulePath = "encoder.block3", Message = "NaN in the backward pass." },
                new AnomalyEvent { Kind = AnomalyKind.ExplodingGradient, Step = Steps / 4, Phase = AnomalyPhase.Backward, Message = "Gradient norm 40 times its typical value." },
            ],
        };

        var size = new CountingWriter();
        HtmlReport.Write(Fresh(), size);
        Console.WriteLine($"// report of {Steps:N0} steps x {Parameters} parameters: {size.Count:N0} characters (ASCII: bytes)");
    }

    [Benchmark(Baseline = true, Description = "touch every record once")]
    public double TouchEveryRecord()
    {
        double sum = 0;
        foreach (StepRecord step in _run.Steps)
        {
            sum += step.Loss;
            foreach (LayerStatistics layer in step.Layers)
            {
                sum += layer.GradientNorm ?? 0;
            }
        }

        return sum;
    }

    [Benchmark(Description = "FindingRules.Evaluate")]
    public int Verdict() => FindingRules.Evaluate(Fresh()).Findings.Count;

    [Benchmark(Description = "HtmlReport.Write")]
    public long Render()
    {
        var writer = new CountingWriter();
        HtmlReport.Write(Fresh(), writer);
        return writer.Count;
    }

    // A fresh step list per call, as before (the report no longer caches per run: each call folds the run once).
    private DiagnosticsRun Fresh() => _run with { Steps = (StepRecord[])_steps.Clone() };
}
