using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainingDiagnostics.HigherOrder;

/// <summary>
/// The layers <see cref="Taylor.Forward"/> can push a jet through: one entry per TorchSharp module type, each delegating
/// to its <see cref="JetRules"/> rule.
/// </summary>
internal static class LayerRules
{
    private static readonly Dictionary<Type, Func<nn.Module, TensorJet, TensorJet>> Table = new()
    {
        [typeof(Linear)] = (m, u) => JetRules.Linear(u, ((Linear)m).weight!, ((Linear)m).bias),
        [typeof(Tanh)] = (_, u) => JetRules.Tanh(ref u),
        [typeof(Sigmoid)] = (_, u) => JetRules.Sigmoid(ref u),
        [typeof(ReLU)] = (_, u) => JetRules.Relu(u),
        [typeof(LeakyReLU)] = (m, u) => JetRules.LeakyRelu(u, ((LeakyReLU)m).negative_slope),
        [typeof(Softplus)] = (m, u) => JetRules.Softplus(u, ((Softplus)m).beta, ((Softplus)m).threshold),
        [typeof(SiLU)] = (_, u) => JetRules.Silu(u),
        [typeof(Identity)] = (_, u) => u,
        [typeof(Flatten)] = (m, u) => u.Map(c => ((Flatten)m).call(c)),
        [typeof(Dropout)] = (m, u) => m.training
            ? throw new NotSupportedException(
                "Taylor.Forward: a Dropout layer in training mode is random, so the model is not one smooth function to expand. " +
                "Call model.eval() first (Dropout is then the identity).")
            : u,
    };

    /// <summary>The names of the supported layer types, for error messages and docs.</summary>
    public static string Supported => string.Join(", ", Table.Keys.Select(t => t.Name).Append(nameof(Sequential)).Order());

    public static TensorJet Apply(string name, nn.Module module, TensorJet jet)
    {
        if (module is Sequential inner)
        {
            foreach (var (childName, child) in inner.named_children())
                jet = Apply($"{name}.{childName}", child, jet);
            return jet;
        }
        if (Table.TryGetValue(module.GetType(), out var rule))
            return rule(module, jet);
        throw new NotSupportedException(
            $"Taylor.Forward: layer '{name}' ({module.GetType().Name}) has no Taylor-mode rule. Supported layers: {Supported}. " +
            "For any other module use Taylor.DirectionalDerivatives(x => model.call(x), x, v, order), which differentiates by nested autograd (slower).");
    }
}
