using System.Text.RegularExpressions;

namespace TrainingDiagnostics.Docs.Tests;

/// <summary>What the test does with a C# block of the documentation.</summary>
public enum SnippetMode
{
    /// <summary>Compiled only (it needs the reader's data, a service host, a network endpoint...).</summary>
    Compile,

    /// <summary>Compiled and run: it must end without an exception (or with the one it declares).</summary>
    Run,
}

/// <summary>
/// One <c>```csharp</c> (or <c>```cs</c>) block of a Markdown page, with the hidden context that makes it compile.
/// </summary>
/// <remarks>
/// <para>The convention, for whoever writes a page. A block is a fragment: it may use names the reader's program has
/// (<c>model</c>, <c>optimizer</c>, <c>x</c>...). Those are declared in an HTML comment (invisible on GitHub) right before
/// the block, blank lines allowed between them:</para>
/// <code>
/// &lt;!-- snippet: run
/// using static TorchSharp.torch;
/// var model = nn.Linear(4, 3);
/// var x = randn(8, 4);
/// --&gt;
/// </code>
/// <para>The first line names the mode: <c>compile</c> (the default, also for a block with no comment) or <c>run</c>, and
/// for a block that demonstrates an error, <c>run, throws ArgumentException</c>. The lines after it, up to <c>--&gt;</c>,
/// are the <em>context</em>: C# placed before the block (its usings first, its statements before the block's, its types
/// beside the block's). A compile-only context declares without values (<c>IDataView train = null!;</c>); a run context
/// builds small real values.</para>
/// <para>The block and its context become one C# file with top-level statements (the block's own type declarations are
/// moved after the statements, where C# wants them), the usings of an SDK console project (<c>ImplicitUsings</c>), nullable
/// enabled, and every library and package of this repository's test output as references. Errors are reported at the
/// page's file and line.</para>
/// </remarks>
/// <param name="File">The page, relative to the repository root (<c>README.md</c>, <c>docs/monitor.md</c>).</param>
/// <param name="Line">The page's line (1-based) of the block's first code line.</param>
/// <param name="Code">The block's code.</param>
/// <param name="Mode">Compile only, or compile and run.</param>
/// <param name="Throws">For a run: the name of the exception the block demonstrates (it must end with one of that type), or null.</param>
/// <param name="Context">The hidden context's code ("" when none).</param>
/// <param name="ContextLine">The page's line of the context's first line (0 when none).</param>
public sealed partial record DocSnippet(string File, int Line, string Code, SnippetMode Mode, string? Throws, string Context, int ContextLine)
{
    /// <summary>Where the block is, as a compiler would write it: <c>docs/monitor.md:12</c>.</summary>
    public string Location => $"{File}:{Line}";

    /// <summary>The C# blocks of <paramref name="markdown"/>, each with its context comment.</summary>
    /// <param name="file">The page's path relative to the repository root (used in locations and errors).</param>
    /// <param name="markdown">The page's text.</param>
    /// <exception cref="FormatException">A snippet comment names an unknown mode, or a block is not closed.</exception>
    public static IReadOnlyList<DocSnippet> Extract(string file, string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<DocSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            string indent = fence.Groups["indent"].Value;
            string ticks = fence.Groups["ticks"].Value;
            string language = fence.Groups["info"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            int end = i + 1;
            while (end < lines.Length && !(lines[end].TrimStart().StartsWith(ticks, StringComparison.Ordinal) && lines[end].Trim().Trim('`').Length == 0))
            {
                end++;
            }

            if (end == lines.Length)
            {
                throw new FormatException($"{file}:{i + 1}: the code block opened here is never closed (expected a line of {ticks}).");
            }

            if (language is "csharp" or "cs")
            {
                string code = string.Join('\n', lines[(i + 1)..end].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l));
                var (mode, throws, context, contextLine) = ContextBefore(file, lines, i);
                snippets.Add(new DocSnippet(file, i + 2, code, mode, throws, context, contextLine));
            }

            i = end;
        }

        return snippets;
    }

    /// <summary>The snippet comment that ends on the nearest non-blank line above the fence at <paramref name="fence"/>, if any.</summary>
    private static (SnippetMode Mode, string? Throws, string Context, int ContextLine) ContextBefore(string file, string[] lines, int fence)
    {
        int last = fence - 1;
        while (last >= 0 && lines[last].Trim().Length == 0)
        {
            last--;
        }

        if (last < 0 || !lines[last].TrimEnd().EndsWith("-->", StringComparison.Ordinal))
        {
            return (SnippetMode.Compile, null, "", 0);
        }

        int first = last;
        while (first >= 0 && !lines[first].Contains("<!--", StringComparison.Ordinal))
        {
            first--;
        }

        if (first < 0)
        {
            return (SnippetMode.Compile, null, "", 0);
        }

        var header = Header().Match(lines[first]);
        if (!header.Success)
        {
            return (SnippetMode.Compile, null, "", 0); // another kind of comment: not ours
        }

        string modeText = header.Groups["mode"].Value.Trim();
        var mode = modeText switch
        {
            "compile" => SnippetMode.Compile,
            "run" => SnippetMode.Run,
            _ when modeText.StartsWith("run", StringComparison.Ordinal) && ThrowsClause().Match(modeText) is { Success: true } => SnippetMode.Run,
            _ => throw new FormatException(
                $"{file}:{first + 1}: unknown snippet mode '{modeText}': expected 'compile', 'run' or 'run, throws ExceptionName'."),
        };
        string? throws = ThrowsClause().Match(modeText) is { Success: true } t ? t.Groups["name"].Value : null;

        // Single-line form: <!-- snippet: run -->. Otherwise the context is the lines between the header and the closing line.
        if (first == last)
        {
            return (mode, throws, "", 0);
        }

        var body = lines[(first + 1)..(last + 1)].ToList();
        body[^1] = body[^1][..body[^1].LastIndexOf("-->", StringComparison.Ordinal)];
        if (body[^1].Trim().Length == 0)
        {
            body.RemoveAt(body.Count - 1); // "-->" on a line of its own
        }

        return (mode, throws, string.Join('\n', body), first + 2);
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?<ticks>```+)(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"<!--\s*snippet:(?<mode>[^\n]*?)(-->|$)")]
    private static partial Regex Header();

    [GeneratedRegex(@"^run\s*,\s*throws\s+(?<name>[A-Za-z_][A-Za-z0-9_.]*)$")]
    private static partial Regex ThrowsClause();
}
