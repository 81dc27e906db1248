using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TrainingDiagnostics.Docs.Tests;

/// <summary>The outcome of compiling a <see cref="DocSnippet"/>: its errors (each at the page's file and line), or its assembly.</summary>
/// <param name="Errors">The compiler's errors, formatted as <c>docs/x.md(12,5): error CS0103: The name 'model' does not exist...</c>.</param>
/// <param name="Assembly">The compiled assembly's bytes (null when there are errors).</param>
/// <param name="Source">The C# file that was compiled (for the failure message).</param>
public sealed record SnippetCompilation(IReadOnlyList<string> Errors, byte[]? Assembly, string Source)
{
    /// <summary>Whether it compiled.</summary>
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Compiles a <see cref="DocSnippet"/> in memory with Roslyn, as described on <see cref="DocSnippet"/>, and runs it.
/// </summary>
public static class SnippetCompiler
{
    /// <summary>The usings an SDK console project has with ImplicitUsings (what <c>dotnet new console</c> gives a reader).</summary>
    public static readonly IReadOnlyList<string> ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest, DocumentationMode.None);

    /// <summary>
    /// Every managed assembly the test runs with (the framework, the libraries, the packages the pages name): the snippet
    /// sees what a program with the same references sees. Read once.
    /// </summary>
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !IsTestMachinery(Path.GetFileName(path)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList());

    /// <summary>Compiles <paramref name="snippet"/> with its context.</summary>
    public static SnippetCompilation Compile(DocSnippet snippet)
    {
        var parts = new Parts();
        var errors = new List<string>();
        if (snippet.Context.Length > 0)
        {
            errors.AddRange(parts.Add(snippet.File, snippet.ContextLine, snippet.Context));
        }

        errors.AddRange(parts.Add(snippet.File, snippet.Line, snippet.Code));
        string source = parts.ToSource();
        if (errors.Count > 0)
        {
            return new SnippetCompilation(errors, null, source);
        }

        var tree = CSharpSyntaxTree.ParseText(source, Parse, path: "snippet.cs", encoding: Encoding.UTF8);
        var options = new CSharpCompilationOptions(
                parts.HasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable)
            .WithAllowUnsafe(false)
            .WithOptimizationLevel(OptimizationLevel.Debug);
        var compilation = CSharpCompilation.Create(
            "DocSnippet_" + Guid.NewGuid().ToString("N"), [tree], References.Value, options);
        using var assembly = new MemoryStream();
        var result = compilation.Emit(assembly);
        var failures = result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(Format)
            .ToList();
        return failures.Count > 0 || !result.Success
            ? new SnippetCompilation(failures.Count > 0 ? failures : ["the compilation failed without an error diagnostic"], null, source)
            : new SnippetCompilation([], assembly.ToArray(), source);
    }

    /// <summary>
    /// Runs a compiled snippet's top-level statements in <paramref name="workingDirectory"/> (the files it writes land there),
    /// its console output captured. Returns the exception it ended with (unwrapped), or null, and what it printed.
    /// </summary>
    public static (Exception? Error, string Output) Run(SnippetCompilation compiled, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(compiled.Assembly);
        var entry = Assembly.Load(compiled.Assembly).EntryPoint
            ?? throw new InvalidOperationException("the snippet has no statements to run: mark it 'compile'.");
        string previousDirectory = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        var output = new StringWriter();
        try
        {
            Environment.CurrentDirectory = workingDirectory;
            Console.SetOut(output);
            object? result = entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
            if (result is Task task)
            {
                task.GetAwaiter().GetResult();
            }

            return (null, output.ToString());
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            return (ex.InnerException, output.ToString());
        }
        catch (Exception ex)
        {
            return (ex, output.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousDirectory;
        }
    }

    private static string Format(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        string where = span.HasMappedPath
            ? $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})"
            : $"(the test's wrapper, line {span.StartLinePosition.Line + 1})";
        return $"{where}: error {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static bool IsTestMachinery(string file) =>
        file.StartsWith("Microsoft.TestPlatform", StringComparison.OrdinalIgnoreCase)
        || file.StartsWith("Microsoft.VisualStudio.TestPlatform", StringComparison.OrdinalIgnoreCase)
        || file.StartsWith("testhost", StringComparison.OrdinalIgnoreCase)
        || file.StartsWith("TrainingDiagnostics.Docs.Tests", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The pieces of the C# file: usings, statements and type declarations, each preceded by a <c>#line</c> directive to its
    /// page line, so that an error points into the page.
    /// </summary>
    private sealed class Parts
    {
        private readonly StringBuilder _usings = new();
        private readonly StringBuilder _statements = new();
        private readonly StringBuilder _types = new();

        public bool HasStatements { get; private set; }

        /// <summary>Splits <paramref name="code"/> (which starts at <paramref name="line"/> of <paramref name="file"/>); returns its syntax errors.</summary>
        public IEnumerable<string> Add(string file, int line, string code)
        {
            var tree = CSharpSyntaxTree.ParseText($"#line {line} \"{file}\"\n{code}", Parse, path: "snippet.cs");
            // CS8803 (statements after a type declaration) is what the reordering below resolves.
            var syntaxErrors = tree.GetDiagnostics()
                .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8803")
                .Select(Format)
                .ToList();
            if (syntaxErrors.Count > 0)
            {
                return syntaxErrors;
            }

            var root = (CompilationUnitSyntax)tree.GetRoot();
            foreach (var node in root.Usings)
            {
                Append(_usings, tree, node);
            }

            foreach (var member in root.Members)
            {
                if (member is GlobalStatementSyntax)
                {
                    HasStatements = true;
                    Append(_statements, tree, member);
                }
                else
                {
                    Append(_types, tree, member);
                }
            }

            return [];
        }

        public string ToSource()
        {
            var source = new StringBuilder();
            foreach (string name in ImplicitUsings)
            {
                source.Append("global using global::").Append(name).Append(";\n");
            }

            return source.Append(_usings).Append(_statements).Append(_types).ToString();
        }

        private static void Append(StringBuilder to, SyntaxTree tree, SyntaxNode node)
        {
            var span = tree.GetMappedLineSpan(node.Span);
            to.Append($"#line {span.StartLinePosition.Line + 1} \"{span.Path}\"\n");
            // Indent the first line as on the page, so that columns in errors match the page too.
            to.Append(' ', span.StartLinePosition.Character).Append(node.ToString()).Append('\n');
        }
    }
}
