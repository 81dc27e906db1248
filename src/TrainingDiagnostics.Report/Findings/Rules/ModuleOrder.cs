using System.Globalization;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// Which layer feeds an activation module, read from what the log holds: the parameters' order (the modules that own
/// parameters, in order) and the names of the activation modules the instruments measured. Activations own no parameters, so
/// this is inference from names, and it answers only when the names leave no doubt.
/// </summary>
internal static class ModuleOrder
{
    /// <summary>
    /// The module with parameters that feeds <paramref name="activation"/>, among its siblings (same parent): in a numbered
    /// container (<c>layers.3</c>) the nearest lower number with parameters; else the one sibling that ends in the same number
    /// (<c>relu2</c> after <c>fc2</c>); else, when the parent holds one measured activation between exactly two layers, the first.
    /// Null when none of these leaves the answer unambiguous.
    /// </summary>
    public static string? FeedingLayer(string activation, RunView run)
    {
        (string parent, string leaf) = Split(activation);
        List<string> siblings = Siblings(parent, run);
        if (siblings.Count == 0)
        {
            return null;
        }

        if (int.TryParse(leaf, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            string? best = null;
            int bestIndex = -1;
            foreach (string sibling in siblings)
            {
                if (int.TryParse(Split(sibling).Leaf, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < index && i > bestIndex)
                {
                    (best, bestIndex) = (sibling, i);
                }
            }

            return best;
        }

        string number = TrailingDigits(leaf);
        if (number.Length > 0)
        {
            var same = siblings.Where(s => TrailingDigits(Split(s).Leaf) == number).ToList();
            return same.Count == 1 ? same[0] : null;
        }

        int activations = run.Activations.ModulePaths.Count(a => Split(a).Parent == parent);
        return activations == 1 && siblings.Count == 2 ? siblings[0] : null;
    }

    /// <summary>The measured activation module that <paramref name="layer"/> feeds, or null when none is known.</summary>
    public static string? ActivationAfter(string layer, RunView run) =>
        run.Activations.ModulePaths.FirstOrDefault(a => FeedingLayer(a, run) == layer);

    /// <summary>The children of <paramref name="parent"/> that hold parameters (directly or below), in parameter order.</summary>
    private static List<string> Siblings(string parent, RunView run)
    {
        var siblings = new List<string>();
        string prefix = parent.Length == 0 ? "" : parent + ".";
        foreach (var row in run.Parameters.Rows)
        {
            string owner = RunEvidence.Owner(row.Name);
            if (owner == row.Name || !owner.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue; // a parameter of the root module itself, or outside this parent
            }

            string rest = owner[prefix.Length..];
            int dot = rest.IndexOf('.');
            string child = prefix + (dot < 0 ? rest : rest[..dot]);
            if (rest.Length > 0 && !siblings.Contains(child))
            {
                siblings.Add(child);
            }
        }

        return siblings;
    }

    private static (string Parent, string Leaf) Split(string path)
    {
        int dot = path.LastIndexOf('.');
        return dot < 0 ? ("", path) : (path[..dot], path[(dot + 1)..]);
    }

    private static string TrailingDigits(string name)
    {
        int i = name.Length;
        while (i > 0 && char.IsAsciiDigit(name[i - 1]))
        {
            i--;
        }

        return name[i..];
    }
}
