using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.Differentiation;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// Stochastic Taylor derivative estimators (STDE; Shi, Hu, Lin, Kawaguchi, NeurIPS 2024): a differential operator is
/// estimated by contracting derivative tensors with random directions. Here the Laplacian Δf = tr(∇²f) = E[vᵀ∇²f v] for
/// Rademacher v (E[vvᵀ] = I), from second-order directional derivatives: the mean over the samples, with a standard error.
/// </summary>
public static class Stde
{
    /// <summary>
    /// Estimates the Laplacian Δf(x) of a scalar-valued f (x of any shape; for x of shape [n], the Laplacian in R^n) as
    /// the mean of vᵀ∇²f(x)v over <paramref name="samples"/> Rademacher directions v drawn from <paramref name="generator"/>,
    /// each second directional derivative computed reverse-over-reverse (v·(Hv)). Cost: one forward pass, one backward pass
    /// building a graph, and one backward pass per sample (against x.numel() + 1 for the exact <see cref="Taylor.Laplacian"/>).
    /// </summary>
    /// <param name="f">A scalar-valued function.</param>
    /// <param name="x">The point; not modified.</param>
    /// <param name="samples">The number of random directions, at least 2.</param>
    /// <param name="generator">The source of the directions (the global torch RNG is not touched).</param>
    public static LaplacianEstimate Laplacian(Func<Tensor, Tensor> f, Tensor x, int samples, Generator generator)
    {
        CheckSamples(samples, generator);
        using var h = HessianOperator.ForFunction(f, x);
        using var scope = NewDisposeScope();
        var values = new Tensor[samples];
        for (int s = 0; s < samples; s++)
        {
            var v = Direction(generator, h.Dimension, h.DType, h.Device, rows: 0);
            values[s] = v.dot(h.Apply(v));
        }
        return Summarize(stack(values), samples);
    }

    /// <summary>
    /// Estimates the Laplacian of a model that maps one point of n features to one number, at the point x (shape [n]), by
    /// STDE proper: the <paramref name="samples"/> Rademacher directions are stacked into one batch of order-2 jets and pushed
    /// through the model in ONE Taylor-mode pass (<see cref="Taylor.Forward"/>); each row's second derivative is vᵀ∇²f v.
    /// The model must take a batch [samples, n] and return [samples] or [samples, 1], rows independent. Cost: one forward
    /// pass of order-2 jets over a batch of <paramref name="samples"/> rows; no backward pass.
    /// </summary>
    /// <param name="model">A Sequential of layers supported by <see cref="Taylor.Forward"/>.</param>
    /// <param name="x">The point, of shape [n].</param>
    /// <param name="samples">The number of random directions, at least 2.</param>
    /// <param name="generator">The source of the directions.</param>
    public static LaplacianEstimate Laplacian(Sequential model, Tensor x, int samples, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        AutodiffChecks.Input(x, nameof(x), nameof(Laplacian));
        CheckSamples(samples, generator);
        if (x.dim() != 1)
            throw new ArgumentException(
                $"Stde.Laplacian: x must be one point of shape [n] (the model sees a batch of {samples} copies of it), but it has shape {ShapeText.Of(x)}.", nameof(x));
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var directions = Direction(generator, n, x.dtype, x.device, rows: samples);
        var points = x.detach().unsqueeze(0).expand(samples, n).contiguous();
        var jets = Taylor.Forward(model, points, directions, 2);
        var second = jets[2];
        if (second.numel() != samples)
            throw new ArgumentException(
                $"Stde.Laplacian: the model must return one number per row (shape [{samples}] or [{samples}, 1]), but it returned shape {ShapeText.Of(second)}.", nameof(model));
        return Summarize(second.reshape(samples), samples);
    }

    private static Tensor Direction(Generator generator, long n, ScalarType dtype, Device device, long rows)
    {
        var shape = rows == 0 ? new[] { n } : new[] { rows, n };
        var bits = randint(0, 2, shape, dtype: ScalarType.Int64, device: generator.device, generator: generator);
        return (bits.to(dtype) * 2 - 1).to(device);
    }

    private static LaplacianEstimate Summarize(Tensor values, int samples)
    {
        var host = values.to(ScalarType.Float64).cpu().data<double>().ToArray();
        double mean = host.Average();
        double variance = host.Sum(v => (v - mean) * (v - mean)) / (samples - 1);
        return new LaplacianEstimate(mean, Math.Sqrt(variance / samples), samples);
    }

    private static void CheckSamples(int samples, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (samples < 2)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "Stde.Laplacian: samples must be at least 2 (a standard error needs two directions).");
    }
}
