[assembly: DoNotParallelize] // a run snippet changes the process's working directory and console for its duration

namespace TrainingDiagnostics.Docs.Tests;

/// <summary>
/// Every C# block of README.md and docs/*.md compiles against the libraries, and the self-contained ones run (see
/// <see cref="DocSnippet"/> for the convention a page follows).
/// </summary>
[TestClass]
public sealed class DocSnippetTests
{
    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Locations => DocPages.Snippets.Keys.Select(location => new object[] { location });

    [TestMethod]
    [DynamicData(nameof(Locations))]
    public void The_block_compiles_and_runs_where_it_is_marked_run(string location)
    {
        var snippet = DocPages.Snippets[location];

        var compiled = SnippetCompiler.Compile(snippet);

        if (!compiled.Succeeded)
        {
            Assert.Fail($"The C# block at {location} does not compile:\n{string.Join('\n', compiled.Errors)}\n\nCompiled as:\n{compiled.Source}");
        }

        if (snippet.Mode != SnippetMode.Run)
        {
            return;
        }

        string folder = Directory.CreateTempSubdirectory("tdiag-doc-snippet-").FullName;
        try
        {
            var (error, output) = SnippetCompiler.Run(compiled, folder);
            TestContext.WriteLine(output);
            if (snippet.Throws is null)
            {
                Assert.IsNull(error, $"The C# block at {location} threw when run: {error}");
            }
            else
            {
                Assert.IsNotNull(error, $"The C# block at {location} says it throws {snippet.Throws}, but it ran to its end.");
                Assert.IsTrue(error.GetType().Name == snippet.Throws || error.GetType().FullName == snippet.Throws,
                    $"The C# block at {location} says it throws {snippet.Throws}, but it threw {error}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Every_page_with_csharp_is_found_and_the_readme_and_the_monitor_page_have_their_blocks()
    {
        // An independent count: the fences as grep would find them.
        foreach (string file in DocPages.Files)
        {
            int fences = DocPages.Read(file).ReplaceLineEndings("\n").Split('\n')
                .Count(line => line.TrimStart() is "```csharp" or "```cs" || line.TrimStart().StartsWith("```csharp ", StringComparison.Ordinal));
            Assert.AreEqual(fences, DocPages.Snippets.Values.Count(s => s.File == file), file);
        }

        Assert.IsGreaterThanOrEqualTo(5, DocPages.Snippets.Values.Count(s => s.File == "README.md"));
        Assert.IsGreaterThanOrEqualTo(1, DocPages.Snippets.Values.Count(s => s.File == "docs/monitor.md"));
        Assert.IsTrue(DocPages.Snippets.Values.Any(s => s.Mode == SnippetMode.Run), "at least one block runs");
    }

    [TestMethod]
    public void The_readme_front_page_fits_250_lines()
    {
        int lines = DocPages.Read("README.md").ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Length;

        Assert.IsLessThanOrEqualTo(250, lines, $"README.md has {lines} lines: move details to a page under docs/.");
    }
}
