namespace TrainingDiagnostics.Docs.Tests;

/// <summary>README.md and docs/*.md as the build copied them beside the tests (Pages/), and their C# blocks.</summary>
public static class DocPages
{
    /// <summary>The folder that mirrors the repository root for the pages.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Pages");

    /// <summary>The pages, relative to the repository root, with forward slashes: README.md first, then docs/*.md by name.</summary>
    public static IReadOnlyList<string> Files { get; } =
    [
        "README.md",
        .. Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(path => "docs/" + Path.GetFileName(path))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Every C# block of every page, by location (<c>docs/monitor.md:12</c>).</summary>
    public static IReadOnlyDictionary<string, DocSnippet> Snippets { get; } = Files
        .SelectMany(file => DocSnippet.Extract(file, Read(file)))
        .ToDictionary(s => s.Location);

    /// <summary>The text of <paramref name="file"/> (relative to the repository root).</summary>
    public static string Read(string file) => File.ReadAllText(Path.Combine(Root, file));
}
