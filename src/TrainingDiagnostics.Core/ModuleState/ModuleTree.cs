using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.ModuleState;

/// <summary>
/// The modules of a model with their dotted paths (as <c>named_modules()</c> gives them; the root is ""), the owner
/// module of every parameter, and type names for reports.
/// </summary>
internal sealed class ModuleTree
{
    private readonly Dictionary<nn.Module, string> _paths = new(ReferenceEqualityComparer.Instance);

    public ModuleTree(nn.Module root)
    {
        Root = root;
        _paths[root] = "";
        Modules.Add(("", root));
        foreach (var (name, module) in root.named_modules())
        {
            if (_paths.ContainsKey(module))
                continue; // a shared module keeps its first path
            _paths[module] = name;
            Modules.Add((name, module));
        }
        foreach (var (name, parameter) in root.named_parameters())
            Parameters.Add(new NamedParameter(name, OwnerPath(name), parameter));
        foreach (var (name, buffer) in root.named_buffers())
            Buffers.Add((name, buffer));
        ParameterNames = Parameters.Select(p => p.Name).ToArray();
        ParameterTensors = Parameters.Select(p => p.Tensor).ToArray();
    }

    public IReadOnlyList<string> ParameterNames { get; }

    public IReadOnlyList<Tensor> ParameterTensors { get; }

    public nn.Module Root { get; }

    /// <summary>Every module, the root first, then in <c>named_modules()</c> order (parents before children).</summary>
    public List<(string Path, nn.Module Module)> Modules { get; } = [];

    public List<NamedParameter> Parameters { get; } = [];

    public List<(string Name, Tensor Buffer)> Buffers { get; } = [];

    public string PathOf(nn.Module module) => _paths.TryGetValue(module, out var path) ? path : "?";

    public nn.Module? ModuleAt(string path) => Modules.FirstOrDefault(m => m.Path == path).Module;

    /// <summary>The module path that owns a parameter: "fc1.weight" -> "fc1", "bias" -> "".</summary>
    public static string OwnerPath(string parameterName)
    {
        int dot = parameterName.LastIndexOf('.');
        return dot < 0 ? "" : parameterName[..dot];
    }

    /// <summary>A module's type name without generic arity, e.g. "Linear", "BatchNorm1d".</summary>
    public static string TypeName(nn.Module module)
    {
        var name = module.GetType().Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    public string TypeNameAt(string path) => ModuleAt(path) is { } m ? TypeName(m) : "?";

    /// <summary>The path to report for a module: null for the root (no dotted path names it).</summary>
    public static string? ReportPath(string path) => path.Length == 0 ? null : path;

    public static bool IsBatchNorm(nn.Module module) => TypeName(module).StartsWith("BatchNorm", StringComparison.Ordinal);

    internal sealed record NamedParameter(string Name, string OwnerPath, Tensor Tensor);
}
