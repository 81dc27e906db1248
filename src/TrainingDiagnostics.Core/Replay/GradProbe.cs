using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Replay;

/// <summary>
/// An identity autograd function placed at a module boundary during a replay: forward passes the tensor through, backward
/// reports the gradient flowing through that boundary to a <see cref="ProbeRecorder"/> and passes it on unchanged.
/// TorchSharp has no backward hooks; this is the substitute (see PLATFORM-FACTS).
/// </summary>
/// <remarks>Its backward runs inside a native callback, where a .NET exception would end the process: it never throws.</remarks>
internal sealed class GradProbe : autograd.SingleTensorFunction<GradProbe>
{
    private const string SiteKey = "site";

    public override string Name => "TrainingDiagnosticsGradProbe";

    /// <summary>Wraps <paramref name="tensor"/> so that its gradient is reported for <paramref name="site"/>.</summary>
    public static Tensor Wrap(Tensor tensor, ProbeSite site) =>
        tensor.requires_grad ? apply(tensor, site) : tensor;

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data(SiteKey, vars[1]);
        // A copy, not a view: a module may later modify its input in place.
        return ((Tensor)vars[0]).clone();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        try
        {
            if (ctx.get_data(SiteKey) is ProbeSite site)
                site.Recorder.Record(site, grad_output);
        }
        catch (Exception)
        {
            // Observing must never break the backward pass (an exception here would abort the process).
        }
        return [grad_output, null!];
    }
}
