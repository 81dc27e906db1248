using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.Kernels.Execution;
using static TrainingDiagnostics.Kernels.Tests.Oracles;

namespace TrainingDiagnostics.Kernels.Tests;

/// <summary>Derivatives through the engine, on every backend, at lengths that straddle group boundaries.</summary>
[TestClass]
public sealed class PointwiseEngineTests
{
    public static IEnumerable<object[]> BackendsAndLengths()
    {
        foreach (var backend in new[] { AcceleratorPreference.Cpu, AcceleratorPreference.CpuAccelerator, AcceleratorPreference.Cuda, AcceleratorPreference.OpenCL })
        {
            foreach (int n in new[] { 1, 17, 1025, 8197 })
            {
                yield return [backend, n];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(BackendsAndLengths))]
    public void SinDerivativesMatchTheClosedFormAtEveryOrder(AcceleratorPreference backend, int n)
    {
        var engine = Engines.Get(backend);
        var x = Engines.Points(n, -6, 6);
        var d = engine.Derivatives<SinF>(x, Jet.MaxOrder);
        Assert.HasCount(Jet.MaxOrder + 1, d);
        for (int k = 0; k <= Jet.MaxOrder; k++)
        {
            Assert.HasCount(n, d[k]);
            for (int i = 0; i < n; i++)
            {
                AssertClose(Math.Sin(x[i] + k * Math.PI / 2), d[k][i], 1e-12, $"{backend}: sin^({k}) at x[{i}] = {x[i]}");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(BackendsAndLengths))]
    public void KernelBackendsGiveTheCpuExecutorsNumbers(AcceleratorPreference backend, int n)
    {
        var engine = Engines.Get(backend);
        var cpu = Engines.Get(AcceleratorPreference.Cpu);
        var x = Engines.Points(n, -2, 2, seed: n);
        AssertSame(cpu.Derivatives<EveryRuleF>(x, Jet.MaxOrder), engine.Derivatives<EveryRuleF>(x, Jet.MaxOrder), backend);
        AssertSame(cpu.Derivatives<ExpSinTimesSquareF>(x, 4), engine.Derivatives<ExpSinTimesSquareF>(x, 4), backend);
    }

    private static void AssertSame(double[][] expected, double[][] actual, AcceleratorPreference backend)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            for (int i = 0; i < expected[k].Length; i++)
            {
                // Same Jet code on every backend: the CPU accelerator runs the same IL and must agree bit for bit;
                // a GPU's own sin/exp may differ in the last bits.
                bool gpu = backend is AcceleratorPreference.Cuda or AcceleratorPreference.OpenCL;
                AssertClose(expected[k][i], actual[k][i], gpu ? 1e-13 : 0, $"{backend} vs Cpu, order {k}, point {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    [DataRow(AcceleratorPreference.Cuda)]
    public void AMillionPointsOfTheBenchmarkFunctionMatchLeibnizAndFaaDiBruno(AcceleratorPreference backend)
    {
        var engine = Engines.Get(backend);
        const int n = 1_000_000;
        var x = Engines.Points(n, -3, 3, seed: 5);
        var d = engine.Derivatives<ExpSinTimesSquareF>(x, 4);
        // Spot-check spread indices (the last one too) against an oracle independent of the jets:
        // (e^(sin x)·x²)^(n) by Leibniz, with e^(sin x)'s derivatives by Faà di Bruno.
        foreach (int i in new[] { 0, 1, 4095, 4096, 333_333, 777_777, n - 1 })
        {
            var outer = Enumerable.Repeat(Math.Exp(Math.Sin(x[i])), 5).ToArray();
            var inner = Enumerable.Range(0, 5).Select(k => Math.Sin(x[i] + k * Math.PI / 2)).ToArray();
            var e = Enumerable.Range(0, 5).Select(k => FaaDiBruno(outer, inner, k)).ToArray();
            double[] square = [x[i] * x[i], 2 * x[i], 2, 0, 0];
            for (int k = 0; k <= 4; k++)
            {
                AssertClose(Leibniz(e, square, k), d[k][i], 1e-12, $"{backend}: order {k} at point {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void FloatPointsGiveDoubleJetsRoundedOnce(AcceleratorPreference backend)
    {
        var engine = Engines.Get(backend);
        float[] x = [0.5f, 1.25f, 3f];
        var d = engine.Derivatives<LogF>(x, 3);
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            Assert.AreEqual((float)Math.Log(xi), d[0][i]);
            Assert.AreEqual((float)(2 / (xi * xi * xi)), d[3][i]);
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void EmptyInputGivesEmptyRows(AcceleratorPreference backend)
    {
        var d = Engines.Get(backend).Derivatives<SinF>(ReadOnlySpan<double>.Empty, 2);
        Assert.HasCount(3, d);
        Assert.IsTrue(d.All(r => r.Length == 0));
    }

    /// <summary>
    /// The allocating overload hands out arrays it does not zero (every executor writes every entry): each entry
    /// equals what the executor writes over NaN-filled caller arrays, on the lane and the scalar paths, at
    /// lengths that leave a scalar tail and orders that take each lane jet (1, 4, 8).
    /// </summary>
    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void EveryEntryOfTheAllocatedResultIsWritten(AcceleratorPreference backend)
    {
        var engine = Engines.Get(backend);
        foreach (int n in new[] { 3, 4103, 70001 })
        {
            var x = Engines.Points(n, -3, 3, seed: n);
            foreach (int order in new[] { 1, 4, 8 })
            {
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    var lanes = engine.Derivatives<GenericExpSinTimesSquareF>(x, order);
                    var scalar = engine.Derivatives<ExpSinTimesSquareF>(x, order);
                    var sentinel = Enumerable.Range(0, order + 1).Select(_ => Enumerable.Repeat(double.NaN, n).ToArray()).ToArray();
                    engine.Derivatives<GenericExpSinTimesSquareF>(x, sentinel);
                    for (int k = 0; k <= order; k++)
                    {
                        Assert.IsFalse(sentinel[k].Any(double.IsNaN), $"n = {n}, order {k}: an entry was not written");
                        CollectionAssert.AreEqual(sentinel[k], lanes[k], $"lanes, n = {n}, order {k}");
                        Assert.IsFalse(scalar[k].Any(double.IsNaN), $"scalar jets, n = {n}, order {k}");
                    }
                }
            }
        }
    }

    [TestMethod]
    [DataRow(AcceleratorPreference.Cpu)]
    [DataRow(AcceleratorPreference.CpuAccelerator)]
    public void DerivativesIntoCallerArraysMatchTheAllocatingOverload(AcceleratorPreference backend)
    {
        var engine = Engines.Get(backend);
        var x = Engines.Points(1025, -3, 3, seed: 4);
        var destination = new[] { new double[x.Length], new double[x.Length], new double[x.Length] };
        engine.Derivatives<TanhF>(x, destination);
        var expected = engine.Derivatives<TanhF>(x, 2);
        for (int k = 0; k <= 2; k++)
        {
            CollectionAssert.AreEqual(expected[k], destination[k], $"order {k}");
        }

        var wrongCount = Assert.ThrowsExactly<ArgumentException>(() => engine.Derivatives<TanhF>(x, new double[10][]));
        StringAssert.Contains(wrongCount.Message, "1 to 9 arrays");
        StringAssert.Contains(wrongCount.Message, "it holds 10");
        var wrongLength = Assert.ThrowsExactly<ArgumentException>(() => engine.Derivatives<TanhF>(x, [new double[x.Length], new double[3]]));
        StringAssert.Contains(wrongLength.Message, "destination[1] must have one entry per point (1025), but it has 3");
    }

    [TestMethod]
    [DataRow(-1)]
    [DataRow(9)]
    public void OrderOutOfRangeSaysWhatIsAllowed(int order)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => Engines.Get(AcceleratorPreference.Cpu).Derivatives<SinF>([1.0], order));
        StringAssert.Contains(e.Message, "0..8");
        StringAssert.Contains(e.Message, $"but {order} came");
        Assert.AreEqual("maxOrder", e.ParamName);
    }

    [TestMethod]
    public void KernelsAreCompiledOncePerFunctionTypeAndBuffersReused()
    {
        using var engine = new PointwiseEngine(AcceleratorPreference.CpuAccelerator);
        var executor = (AcceleratorExecutor)engine.Executor;
        engine.Derivatives<SinF>(Engines.Points(1000, 0, 1), 2);
        Assert.AreEqual(1, executor.CachedKernelCount);
        int allocations = executor.Allocations;
        engine.Derivatives<SinF>(Engines.Points(500, 0, 1), 2);
        engine.Derivatives<SinF>(Engines.Points(1000, 0, 1), 1);
        Assert.AreEqual(1, executor.CachedKernelCount, "the second call with the same type reuses the kernel");
        Assert.AreEqual(allocations, executor.Allocations, "calls that fit the kept buffers allocate nothing");
        engine.Derivatives<CosF>(Engines.Points(10, 0, 1), 2);
        Assert.AreEqual(2, executor.CachedKernelCount, "a new function type compiles its own kernel");
    }

    [TestMethod]
    public void AFailedCompileIsReportedAndTheEngineRecovers()
    {
        using var engine = new PointwiseEngine(AcceleratorPreference.CpuAccelerator);
        var executor = (AcceleratorExecutor)engine.Executor;
        engine.Derivatives<SinF>([0.5], 1);

        var e = Assert.ThrowsExactly<NotSupportedException>(() => engine.Derivatives<AllocatingF>([1.0, 2.0], 2));
        StringAssert.Contains(e.Message, nameof(AllocatingF));
        StringAssert.Contains(e.Message, "AcceleratorPreference.Cpu");
        Assert.AreEqual(1, executor.ContextGeneration, "the poisoned context was replaced");

        // Without the rebuild, this load would fail in the poisoned context.
        var d = engine.Derivatives<CosF>([0.0, 1.0], 1);
        AssertClose(Math.Cos(1), d[0][1], 1e-15, "cos after recovery");
        AssertClose(-Math.Sin(1), d[1][1], 1e-15, "cos' after recovery");

        // The CPU executor runs any C#, allocation included.
        var cpu = Engines.Get(AcceleratorPreference.Cpu).Derivatives<AllocatingF>([3.0], 2);
        CollectionAssert.AreEqual(new[] { 9.0, 3.0, 0.0 }, cpu.Select(r => r[0]).ToArray(), "x·(value of x) with a constant factor");
    }

    [TestMethod]
    public void AnUnavailableExplicitDeviceIsAClearError()
    {
        if (Engines.IsPresent(AcceleratorPreference.Cuda))
        {
            Assert.Inconclusive("This machine has a CUDA device; the error path cannot be reached.");
        }

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new PointwiseEngine(AcceleratorPreference.Cuda));
        StringAssert.Contains(e.Message, "asked for CUDA");
        StringAssert.Contains(e.Message, "no CUDA device is available");
        StringAssert.Contains(e.Message, "AcceleratorPreference.Auto");
    }

    [TestMethod]
    public void AutoFallsBackToTheCpuExecutorWithoutAGpu()
    {
        using var engine = new PointwiseEngine();
        if (Engines.IsPresent(AcceleratorPreference.Cuda))
        {
            StringAssert.Contains(engine.DeviceName, "CUDA");
            return;
        }

        Assert.IsFalse(engine.UsesKernels);
        StringAssert.StartsWith(engine.DeviceName, "CPU: Parallel.For");
        Assert.AreEqual(AcceleratorPreference.Auto, engine.Preference);
        StringAssert.Contains(Engines.Get(AcceleratorPreference.CpuAccelerator).DeviceName, "via ILGPU");
    }

    [TestMethod]
    public void AnUndefinedPreferenceIsRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PointwiseEngine((AcceleratorPreference)42));
        StringAssert.Contains(e.Message, "Auto, Cuda, OpenCL, Cpu");
    }

    [TestMethod]
    public void ADisposedEngineRefusesWork()
    {
        var engine = new PointwiseEngine(AcceleratorPreference.Cpu);
        engine.Dispose();
        engine.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => engine.Derivatives<SinF>([1.0], 1));
    }
}
