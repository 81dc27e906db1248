using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.TestSupport;

/// <summary>Assertions on tensors that say where and by how much they differ.</summary>
public static class TensorAssert
{
    /// <summary>Asserts equal shapes and |actual - expected| &lt;= atol + rtol·|expected| elementwise (NaN equals NaN).</summary>
    public static void AreClose(Tensor expected, Tensor actual, double rtol = 1e-7, double atol = 1e-9, string? message = null)
    {
        Assert.IsNotNull(actual, "actual tensor is null");
        var expectedShape = "[" + string.Join(", ", expected.shape) + "]";
        var actualShape = "[" + string.Join(", ", actual.shape) + "]";
        Assert.AreEqual(expectedShape, actualShape, $"shape mismatch. {message}");
        using var scope = NewDisposeScope();
        var e = expected.detach().to(ScalarType.Float64).cpu().reshape(-1);
        var a = actual.detach().to(ScalarType.Float64).cpu().reshape(-1);
        var ev = e.data<double>().ToArray();
        var av = a.data<double>().ToArray();
        for (int i = 0; i < ev.Length; i++)
        {
            if (double.IsNaN(ev[i]) && double.IsNaN(av[i]))
                continue;
            double tolerance = atol + rtol * Math.Abs(ev[i]);
            if (!(Math.Abs(av[i] - ev[i]) <= tolerance) && ev[i] != av[i])
                Assert.Fail($"element {i} (flat) differs: expected {ev[i]:R}, actual {av[i]:R}, |diff| {Math.Abs(av[i] - ev[i]):E3} > {tolerance:E3}. {message}");
        }
    }

    /// <summary>Asserts that every element of the tensor is zero.</summary>
    public static void IsZero(Tensor actual, string? message = null)
    {
        using var scope = NewDisposeScope();
        var values = actual.detach().to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
        for (int i = 0; i < values.Length; i++)
            if (values[i] != 0)
                Assert.Fail($"element {i} is {values[i]:R}, expected 0. {message}");
    }

    /// <summary>The values of a tensor as a flat float64 array (copied to the host).</summary>
    public static double[] Values(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
    }
}
