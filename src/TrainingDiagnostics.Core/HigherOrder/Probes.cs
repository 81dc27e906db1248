using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>Random probe vectors from a private CPU generator (never the global torch RNG), moved to the operator's device.</summary>
internal static class Probes
{
    public static Generator Generator(int seed) => new((ulong)(uint)seed, CPU);

    /// <summary>A Rademacher vector (entries ±1 with equal probability) of n elements, or a matrix [rows, n] of them.</summary>
    public static Tensor Rademacher(Generator generator, long n, ScalarType dtype, Device device, long rows = 0)
    {
        var shape = rows == 0 ? new[] { n } : new[] { rows, n };
        var bits = randint(0, 2, shape, dtype: ScalarType.Int64, generator: generator);
        var signs = bits.to(dtype) * 2 - 1;
        return device.type == DeviceType.CPU ? signs : signs.to(device);
    }

    /// <summary>A standard normal vector of n elements.</summary>
    public static Tensor Gaussian(Generator generator, long n, ScalarType dtype, Device device)
    {
        var z = randn(new[] { n }, dtype: ScalarType.Float64, generator: generator).to(dtype);
        return device.type == DeviceType.CPU ? z : z.to(device);
    }
}
