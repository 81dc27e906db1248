using TorchSharp;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// The modules of a model in the order they were registered (for a Sequential, the order data flows), each with its own
/// parameters: what <see cref="HealPlan"/> needs to turn a remedy's target (a module, an activation or a parameter) into the
/// module or parameters the remedy acts on.
/// </summary>
internal sealed class ModelLayout
{
    private readonly List<(string Path, string Type, IReadOnlyList<string> Parameters)> _modules;

    private ModelLayout(List<(string Path, string Type, IReadOnlyList<string> Parameters)> modules) => _modules = modules;

    /// <summary>Every module but the root: its path, its type name (<c>Linear</c>, <c>ReLU</c>) and its own parameters' full names.</summary>
    public IReadOnlyList<(string Path, string Type, IReadOnlyList<string> Parameters)> Modules => _modules;

    /// <summary>Every parameter's full name, as in <c>named_parameters()</c>.</summary>
    public IEnumerable<string> Parameters => Modules.SelectMany(m => m.Parameters);

    /// <summary>Reads the layout of <paramref name="model"/>.</summary>
    public static ModelLayout Of(torch.nn.Module model) => new(model.named_modules()
        .Select(m => (m.name, m.module.GetType().Name, (IReadOnlyList<string>)m.module.named_parameters(recurse: false).Select(p => $"{m.name}.{p.name}").ToList()))
        .ToList());

    /// <summary>The layout of the demo's model for <paramref name="fault"/>.</summary>
    public static ModelLayout OfDemo(DemoFault fault)
    {
        using var model = DigitsDemo.BuildModel(fault);
        return Of(model);
    }

    /// <summary>
    /// The parameters a target names: a parameter itself, or every parameter of a module (and of the modules below it).
    /// Empty when the target names neither.
    /// </summary>
    public IReadOnlyList<string> ParametersOf(string target) =>
        Parameters.Where(p => p == target || p.StartsWith(target + ".", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The module whose parameters hold what a target names: the module of a parameter, a module with parameters itself, or,
    /// for a module without any (an activation), the nearest module before it that has some: the layer that feeds it.
    /// </summary>
    public string? ParametrizedModuleOf(string target)
    {
        if (Modules.FirstOrDefault(m => m.Parameters.Contains(target)) is { Path: not null } owner)
        {
            return owner.Path;
        }

        int at = IndexOf(target);
        for (int i = at; i >= 0; i--)
        {
            if (Modules[i].Parameters.Count > 0)
            {
                return Modules[i].Path;
            }
        }

        return null;
    }

    /// <summary>The ReLU a target names: itself, or for a layer (or one of its parameters), the first ReLU after it.</summary>
    public string? ReluOf(string target)
    {
        int at = IndexOf(target);
        if (at < 0 && _modules.FindIndex(m => m.Parameters.Contains(target)) is int owner and >= 0)
        {
            at = owner;
        }

        for (int i = Math.Max(at, 0); at >= 0 && i < Modules.Count; i++)
        {
            if (Modules[i].Type == "ReLU")
            {
                return Modules[i].Path;
            }
        }

        return null;
    }

    private int IndexOf(string path) => _modules.FindIndex(m => m.Path == path);
}
