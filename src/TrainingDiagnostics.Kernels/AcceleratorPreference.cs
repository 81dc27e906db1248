namespace TrainingDiagnostics.Kernels;

/// <summary>Which device a <see cref="PointwiseEngine"/> runs on.</summary>
public enum AcceleratorPreference
{
    /// <summary>The fastest present: a CUDA GPU, then an OpenCL GPU, then the CPU executor (<see cref="Cpu"/>).</summary>
    Auto = 0,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend (needs only the NVIDIA driver); an error if none exists.</summary>
    Cuda = 1,

    /// <summary>An OpenCL device (a GPU when one exists) through ILGPU; an error if none exists.</summary>
    OpenCL = 2,

    /// <summary>
    /// The CPU executor: the same <see cref="Jet"/> code in a <see cref="Parallel"/> loop over chunks of
    /// points, SIMD where it pays (statistics). Always available and the fastest CPU choice.
    /// </summary>
    Cpu = 3,

    /// <summary>
    /// ILGPU's CPU accelerator, a GPU simulator: it runs the very kernels a GPU would run, on the CPU,
    /// 1-8x slower than <see cref="Cpu"/>. Meant for testing the kernel path where no GPU exists.
    /// </summary>
    CpuAccelerator = 4,
}
