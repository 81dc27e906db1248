namespace TrainingDiagnostics.Docs.Tests;

/// <summary>The snippet test itself: it finds blocks where they are, and a block that is wrong fails with its page line.</summary>
[TestClass]
public sealed class SnippetConventionTests
{
    private const string Page = """
        # A page

        Some text.

        <!-- snippet: compile
        int given = 41;
        -->

        ```csharp
        int answer = given + 1;
        Console.WriteLine(answr);
        ```

        ```bash
        echo not C#
        ```

        <!-- snippet: run, throws InvalidOperationException -->
        ```cs
        throw new InvalidOperationException("shown on purpose");
        ```

        ```csharp
        Console.WriteLine("no comment: compiled only");
        ```
        """;

    [TestMethod]
    public void Blocks_are_found_with_their_first_code_line_their_mode_and_their_context()
    {
        var snippets = DocSnippet.Extract("docs/page.md", Page);

        Assert.HasCount(3, snippets);
        Assert.AreEqual("docs/page.md:10", snippets[0].Location);
        Assert.AreEqual(SnippetMode.Compile, snippets[0].Mode);
        Assert.AreEqual("int given = 41;", snippets[0].Context);
        Assert.AreEqual(6, snippets[0].ContextLine);
        Assert.AreEqual(SnippetMode.Run, snippets[1].Mode);
        Assert.AreEqual("InvalidOperationException", snippets[1].Throws);
        Assert.AreEqual("docs/page.md:20", snippets[1].Location);
        Assert.AreEqual(SnippetMode.Compile, snippets[2].Mode);
        Assert.AreEqual("", snippets[2].Context);
    }

    [TestMethod]
    public void A_broken_block_fails_with_the_pages_file_line_and_the_compilers_error()
    {
        var broken = DocSnippet.Extract("docs/page.md", Page)[0];

        var compiled = SnippetCompiler.Compile(broken);

        Assert.IsFalse(compiled.Succeeded);
        Assert.HasCount(1, compiled.Errors, string.Join('\n', compiled.Errors));
        // Line 11 of the page holds `Console.WriteLine(answr);`, column 19 the misspelt name.
        StringAssert.StartsWith(compiled.Errors[0], "docs/page.md(11,19): error CS0103: The name 'answr' does not exist in the current context");
    }

    [TestMethod]
    public void An_error_in_the_hidden_context_is_reported_at_its_line_in_the_comment()
    {
        var snippet = DocSnippet.Extract("docs/page.md", Page)[0] with { Context = "int given = \"41\";" };

        var compiled = SnippetCompiler.Compile(snippet);

        Assert.IsTrue(compiled.Errors.Any(e => e.StartsWith("docs/page.md(6,", StringComparison.Ordinal) && e.Contains("CS0029", StringComparison.Ordinal)),
            string.Join('\n', compiled.Errors));
    }

    [TestMethod]
    public void A_fixed_block_compiles_and_runs_and_a_declared_exception_is_what_it_throws()
    {
        var snippets = DocSnippet.Extract("docs/page.md", Page);
        var fixedBlock = snippets[0] with { Code = snippets[0].Code.Replace("answr", "answer", StringComparison.Ordinal) };
        var compiled = SnippetCompiler.Compile(fixedBlock);
        Assert.IsTrue(compiled.Succeeded, string.Join('\n', compiled.Errors));
        string folder = Path.GetTempPath();

        var (error, output) = SnippetCompiler.Run(compiled, folder);

        Assert.IsNull(error);
        Assert.AreEqual("42", output.Trim());
        var throwing = SnippetCompiler.Compile(snippets[1]);
        Assert.IsInstanceOfType<InvalidOperationException>(SnippetCompiler.Run(throwing, folder).Error);
    }

    [TestMethod]
    public void Type_declarations_before_statements_are_moved_after_them_as_CSharp_requires()
    {
        var snippet = new DocSnippet("docs/page.md", 3, "public readonly struct Two { public int Value => 2; }\nConsole.Write(new Two().Value);", SnippetMode.Run, null, "", 0);

        var compiled = SnippetCompiler.Compile(snippet);

        Assert.IsTrue(compiled.Succeeded, string.Join('\n', compiled.Errors));
        Assert.AreEqual("2", SnippetCompiler.Run(compiled, Path.GetTempPath()).Output);
    }

    [TestMethod]
    public void An_unknown_mode_is_an_error_that_names_the_comments_line()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => DocSnippet.Extract("x.md", "<!-- snippet: execute -->\n```csharp\nint a = 1;\n```"));

        StringAssert.StartsWith(error.Message, "x.md:1: unknown snippet mode 'execute'");
    }
}
