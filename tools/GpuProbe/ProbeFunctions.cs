using TrainingDiagnostics.Kernels.Tests;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>
/// Every function of the Kernels tests (tests/TrainingDiagnostics.Kernels.Tests/TestFunctions.cs, compiled into the probe)
/// that can become a kernel, each over an interval inside its domain (the tests' own intervals where they have one). Only
/// <see cref="AllocatingF"/> is left out: it allocates on purpose, to test that the engine refuses it. A test checks that this
/// list names every other function of that file.
/// </summary>
internal static class ProbeFunctions
{
    public static IReadOnlyList<ProbeFunction> All { get; } =
    [
        new UnaryProbe<SinF>(-6, 6),
        new UnaryProbe<CosF>(-6, 6),
        new UnaryProbe<TanF>(-1.2, 1.3),
        new UnaryProbe<ExpAxF>(-2, 2),
        new UnaryProbe<LogF>(0.1, 3),
        new UnaryProbe<SqrtF>(0.1, 3),
        new UnaryProbe<TanhF>(-2, 2),
        new UnaryProbe<SigmoidF>(-2, 2),
        new UnaryProbe<SoftplusF>(-2, 2),
        new UnaryProbe<ErfF>(-2, 2),
        new UnaryProbe<AtanF>(-2, 2),
        new UnaryProbe<AbsF>(-2, 2),
        new UnaryProbe<ReciprocalF>(-0.9, 2),
        new UnaryProbe<OnePlusXPow25F>(-0.9, 2),
        new UnaryProbe<OnePlusXPowMinus13F>(-0.9, 2),
        new UnaryProbe<SquareF>(-2, 2),
        new UnaryProbe<ThreeToXF>(-2, 2),
        new UnaryProbe<XToXF>(0.1, 3),
        new UnaryProbe<QuarticF>(-3, 5),
        new UnaryProbe<SinTimesExpF>(-2, 2),
        new UnaryProbe<ExpOfSinF>(-2, 2),
        new UnaryProbe<ExpSinTimesSquareF>(-3, 3),
        new UnaryProbe<EveryRuleF>(-2, 2),
        new UnaryProbe<GenericEveryRuleF>(-2, 2),
        // Log and square roots of negatives on purpose: NaN on both sides.
        new UnaryProbe<GenericEdgesF>(-1.5, 1.5),
        new UnaryProbe<GenericExpSinTimesSquareF>(-3, 3),
        new UnaryProbe<GenericSinF>(-6, 6),
        new UnaryProbe<GenericLowersOrderF>(-2, 2),
        new MultivariateProbe<SinExpPolyF>(-2, 2),
        new MultivariateProbe<GaussianF>(-2, 2),
    ];
}
