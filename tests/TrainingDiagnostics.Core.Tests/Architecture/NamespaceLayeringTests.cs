using System.Text.RegularExpressions;

namespace TrainingDiagnostics.Tests.Architecture;

/// <summary>
/// Core's namespaces form layers without cycles: module state at the bottom, then anomalies, replay and recording, then
/// monitoring. Read from the sources' <c>using</c> directives, so a new dependency that closes a cycle fails here.
/// </summary>
[TestClass]
public sealed partial class NamespaceLayeringTests
{
    [TestMethod]
    public void CoreNamespacesHaveNoCycles()
    {
        var graph = Graph();
        Assert.IsTrue(graph.Count >= 5, "the sources were found: " + string.Join(", ", graph.Keys));
        foreach (var start in graph.Keys)
        {
            var cycle = FindCycle(graph, start, [], []);
            Assert.IsNull(cycle, "a namespace cycle: " + (cycle is null ? "" : string.Join(" -> ", cycle)));
        }
    }

    [TestMethod]
    public void ModuleStateIsTheBottomLayerAndReplayHasOneHome()
    {
        var graph = Graph();
        Assert.AreEqual(0, graph["TrainingDiagnostics.ModuleState"].Count, "module state depends on no other Core namespace: " +
            string.Join(", ", graph["TrainingDiagnostics.ModuleState"]));
        CollectionAssert.DoesNotContain(graph["TrainingDiagnostics.Anomalies"].ToList(), "TrainingDiagnostics.Recording");
        CollectionAssert.DoesNotContain(graph["TrainingDiagnostics.Recording"].ToList(), "TrainingDiagnostics.Anomalies");
        var replayFiles = Directory.GetFiles(CoreSources(), "*.cs", SearchOption.AllDirectories)
            .Where(f => ClassPattern().IsMatch(File.ReadAllText(f)) && File.ReadAllText(f).Contains("namespace TrainingDiagnostics.Replay;", StringComparison.Ordinal))
            .Select(f => Path.GetFileName(Path.GetDirectoryName(f)!)).Distinct().ToList();
        CollectionAssert.AreEqual(new[] { "Replay" }, replayFiles, "every replay type lives in the Replay folder");
    }

    private static Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.GetFiles(CoreSources(), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                continue;
            string text = File.ReadAllText(file);
            var ns = NamespacePattern().Match(text);
            if (!ns.Success)
                continue;
            string name = ns.Groups[1].Value;
            if (!graph.TryGetValue(name, out var edges))
                graph[name] = edges = [];
            foreach (Match use in UsingPattern().Matches(text))
            {
                string target = use.Groups[1].Value;
                if (target != name && target != "TrainingDiagnostics.Model")
                    edges.Add(target);
            }
        }
        return graph;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph, string node, List<string> path, HashSet<string> done)
    {
        if (path.Contains(node))
            return [.. path.SkipWhile(n => n != node), node];
        if (!done.Add(node))
            return null;
        path.Add(node);
        foreach (var next in graph.GetValueOrDefault(node) ?? [])
            if (FindCycle(graph, next, path, done) is { } cycle)
                return cycle;
        path.RemoveAt(path.Count - 1);
        return null;
    }

    private static string CoreSources()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Diagnostics.sln")))
            folder = folder.Parent;
        Assert.IsNotNull(folder, "the repository root (Diagnostics.sln) above the test binaries");
        return Path.Combine(folder.FullName, "src", "TrainingDiagnostics.Core");
    }

    [GeneratedRegex(@"^namespace (TrainingDiagnostics[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^using (TrainingDiagnostics[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();

    [GeneratedRegex(@"\b(class|record|struct|enum|interface)\b")]
    private static partial Regex ClassPattern();
}
