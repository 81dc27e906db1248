using System.Text.Json;
using TrainingDiagnostics.Cli.Checks;
using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// <c>tdiag check</c> as a CI gate, on real demo logs: a healthy run, the same run cut mid-line as a crash leaves it (a
/// warning), a run with the planted sqrt fault (critical), and an ML.NET pipeline run. The truths the tests compare with
/// are read from the logs with a plain JSON parser.
/// </summary>
[TestClass]
public sealed class CheckCommandTests
{
    private static string s_healthy = "", s_cut = "", s_sqrt = "", s_mlnet = "";

    [ClassInitialize]
    public static void TrainTheDemoRuns(TestContext context)
    {
        string root = Path.Combine(context.TestRunResultsDirectory ?? Path.GetTempPath(), "tdiag-check-" + Guid.NewGuid().ToString("N"));
        s_healthy = Demo(Path.Combine(root, "healthy"), "demo", "--epochs", "1");
        s_sqrt = Demo(Path.Combine(root, "sqrt"), "demo", "--fault", "sqrt", "--epochs", "1");
        s_mlnet = Demo(Path.Combine(root, "mlnet"), "demo", "--mlnet", "--epochs", "1");
        s_cut = Path.Combine(root, "cut.jsonl");
        string text = File.ReadAllText(s_healthy);
        File.WriteAllText(s_cut, text[..(text.Length - 30)]); // the last line cut mid-way, as a killed training leaves it
    }

    private static string Demo(string folder, params string[] args)
    {
        var (code, _, error) = Tdiag([.. args, "--out", folder]);
        Assert.AreEqual(ExitCodes.Success, code, error);
        return Path.Combine(folder, DemoCommand.RunLogFileName);
    }

    private static (int ExitCode, string Output, string Error) Tdiag(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string Log(string which) => which switch
    {
        "healthy" => s_healthy,
        "cut" => s_cut,
        "sqrt" => s_sqrt,
        _ => s_mlnet,
    };

    private static List<JsonElement> Lines(string log, string kind) =>
        File.ReadLines(log).Where(l => l.EndsWith('}'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == kind)
            .ToList();

    [TestMethod]
    [DataRow("healthy", null, ExitCodes.Success)]
    [DataRow("healthy", "warning", ExitCodes.Success)]
    [DataRow("cut", null, ExitCodes.Success)]
    [DataRow("cut", "critical", ExitCodes.Success)]
    [DataRow("cut", "warning", ExitCodes.CheckFailed)]
    [DataRow("sqrt", null, ExitCodes.CheckFailed)]
    [DataRow("sqrt", "warning", ExitCodes.CheckFailed)]
    [DataRow("mlnet", "critical", ExitCodes.Success)]
    public void ExitsFiveExactlyWhenTheVerdictIsAtOrAboveTheThreshold(string which, string? failOn, int expected)
    {
        string log = Log(which);
        string[] args = failOn is null ? ["check", log] : ["check", log, "--fail-on", failOn];

        var (code, output, error) = Tdiag(args);

        Assert.AreEqual(expected, code, output + error);
        Assert.AreEqual("", error);
        string threshold = failOn ?? "critical";
        StringAssert.Contains(output, expected == ExitCodes.CheckFailed ? $"at or above --fail-on {threshold}" : $"below --fail-on {threshold}");
        StringAssert.Contains(output, expected == ExitCodes.CheckFailed ? "check failed: 1 of 1 run log(s)" : "check passed");
    }

    [TestMethod]
    public void TheVerdictOfEachLogFollowsItsOwnEvidence()
    {
        // Independent truths: the sqrt run logged NaN incidents, the healthy one none; the cut one lost its last line.
        Assert.IsNotEmpty(Lines(s_sqrt, "anomaly"));
        Assert.IsEmpty(Lines(s_healthy, "anomaly"));

        var (code, output, _) = Tdiag("check", s_healthy, s_cut, s_sqrt, "--fail-on", "warning");

        Assert.AreEqual(ExitCodes.CheckFailed, code, "the exit code of the worst log");
        string[] verdicts = output.Split('\n').Where(l => l.StartsWith(Path.GetDirectoryName(s_cut)!, StringComparison.Ordinal)).ToArray();
        Assert.HasCount(3, verdicts, output);
        StringAssert.StartsWith(verdicts[0], $"{s_healthy} (run '");
        StringAssert.Contains(verdicts[0], "): Healthy, below --fail-on warning");
        StringAssert.Contains(verdicts[1], "): Warnings, at or above --fail-on warning (the log's last line was cut");
        StringAssert.Contains(verdicts[2], "): Failed, at or above --fail-on warning");
        StringAssert.Contains(output, "check failed: 2 of 3 run log(s) at or above --fail-on warning");
    }

    [TestMethod]
    public void JsonHoldsEveryVerdictAndFindingAndParsesBack()
    {
        var (code, output, error) = Tdiag("check", s_sqrt, s_healthy, "--format", "json");

        Assert.AreEqual(ExitCodes.CheckFailed, code, error);
        using JsonDocument document = JsonDocument.Parse(output);
        JsonElement root = document.RootElement;
        Assert.AreEqual(CheckJsonWriter.SchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.AreEqual("critical", root.GetProperty("failOn").GetString());
        Assert.AreEqual(5, root.GetProperty("exitCode").GetInt32());
        Assert.IsFalse(root.GetProperty("passed").GetBoolean());
        JsonElement[] runs = root.GetProperty("runs").EnumerateArray().ToArray();
        Assert.HasCount(2, runs);

        JsonElement sqrt = runs[0];
        Assert.AreEqual(s_sqrt, sqrt.GetProperty("log").GetString());
        Assert.AreEqual("failed", sqrt.GetProperty("verdict").GetString());
        Assert.IsTrue(sqrt.GetProperty("atThreshold").GetBoolean());
        Assert.IsTrue(sqrt.GetProperty("complete").GetBoolean());
        Assert.AreEqual(Lines(s_sqrt, "step").Count, sqrt.GetProperty("steps").GetInt64());
        Assert.AreEqual(Lines(s_sqrt, "anomaly").Count, sqrt.GetProperty("incidents").GetInt64());

        // The first incident of the log (step and module, read with a JSON parser) is a critical finding of the check.
        JsonElement incident = Lines(s_sqrt, "anomaly")[0];
        JsonElement[] findings = sqrt.GetProperty("findings").EnumerateArray().ToArray();
        Assert.IsTrue(findings.Any(f => f.GetProperty("severity").GetString() == "critical"
            && f.GetProperty("step").ValueKind == JsonValueKind.Number && f.GetProperty("step").GetInt64() == incident.GetProperty("step").GetInt64()
            && f.GetProperty("module").GetString() == incident.GetProperty("modulePath").GetString()), output);

        // Every finding the report's rules give (read the whole log, not streamed) is there, in order, with every field.
        RunVerdict truth = FindingRules.Evaluate(RunLogReader.Read(s_sqrt));
        Assert.HasCount(truth.Findings.Count, findings);
        for (int i = 0; i < findings.Length; i++)
        {
            Finding expected = truth.Findings[i];
            JsonElement actual = findings[i];
            Assert.AreEqual(expected.Rule, actual.GetProperty("rule").GetString());
            Assert.AreEqual(expected.Severity.ToString().ToLowerInvariant(), actual.GetProperty("severity").GetString());
            Assert.AreEqual(expected.ModulePath, actual.GetProperty("module").GetString());
            Assert.AreEqual(expected.Step, actual.GetProperty("step").ValueKind == JsonValueKind.Null ? null : actual.GetProperty("step").GetInt64());
            Assert.AreEqual(expected.Title, actual.GetProperty("title").GetString());
            Assert.AreEqual(expected.Detail, actual.GetProperty("detail").GetString());
            JsonElement remedy = actual.GetProperty("remedy");
            if (expected.Remedy is null)
            {
                Assert.AreEqual(JsonValueKind.Null, remedy.ValueKind);
            }
            else
            {
                Assert.AreEqual(expected.Remedy.Action, remedy.GetProperty("action").GetString());
                Assert.AreEqual(expected.Remedy.Target, remedy.GetProperty("target").GetString());
                Assert.AreEqual(expected.Remedy.Factor, remedy.GetProperty("factor").ValueKind == JsonValueKind.Null ? null : remedy.GetProperty("factor").GetDouble());
                Assert.AreEqual(expected.Remedy.Text, remedy.GetProperty("text").GetString());
            }
        }

        JsonElement healthy = runs[1];
        Assert.AreEqual("healthy", healthy.GetProperty("verdict").GetString());
        Assert.IsFalse(healthy.GetProperty("atThreshold").GetBoolean());
        Assert.IsTrue(healthy.GetProperty("findings").EnumerateArray().All(f => f.GetProperty("severity").GetString() == "info"));
    }

    [TestMethod]
    public void JsonOfAnMLNetRunPassesAndNamesItsRun()
    {
        string runName = Lines(s_mlnet, "header")[0].GetProperty("runName").GetString()!;

        var (code, output, error) = Tdiag("check", s_mlnet, "--format", "json");

        Assert.AreEqual(ExitCodes.Success, code, error);
        JsonElement run = JsonDocument.Parse(output).RootElement.GetProperty("runs")[0];
        Assert.AreEqual(runName, run.GetProperty("runName").GetString());
        Assert.AreEqual(Lines(s_mlnet, "step").Count, run.GetProperty("steps").GetInt64());
        Assert.IsTrue(JsonDocument.Parse(output).RootElement.GetProperty("passed").GetBoolean());
    }

    [TestMethod]
    public void GitHubFormatAnnotatesEachFindingOnOneEscapedLine()
    {
        var (code, output, error) = Tdiag("check", s_sqrt, "--format", "github");

        Assert.AreEqual(ExitCodes.CheckFailed, code, error);
        RunVerdict truth = FindingRules.Evaluate(RunLogReader.Read(s_sqrt));
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        string[] commands = lines.Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(truth.Findings.Count, commands, "one workflow command per finding, each on one line");
        for (int i = 0; i < commands.Length; i++)
        {
            Finding finding = truth.Findings[i];
            string level = finding.Severity switch { FindingSeverity.Critical => "error", FindingSeverity.Warning => "warning", _ => "notice" };
            StringAssert.StartsWith(commands[i], $"::{level} title=");
            int split = commands[i].IndexOf("::", 2, StringComparison.Ordinal);
            string title = Unescape(commands[i][(level.Length + 9)..split]);
            string message = Unescape(commands[i][(split + 2)..]);
            Assert.DoesNotContain(":", commands[i][(level.Length + 9)..split], "no raw colon in a property");
            Assert.DoesNotContain(",", commands[i][(level.Length + 9)..split], "no raw comma in a property");
            StringAssert.EndsWith(title, finding.Title);
            StringAssert.StartsWith(message, finding.Detail.Length == 0 ? finding.Title : finding.Detail);
            StringAssert.Contains(message, finding.Rule);
            if (finding.Remedy is { } remedy)
            {
                StringAssert.Contains(message, "\nFix: " + remedy.Text);
            }
        }

        Assert.AreEqual(1, lines.Count(l => l.Contains("): Failed, at or above --fail-on critical", StringComparison.Ordinal)));
    }

    private static string Unescape(string value) => value
        .Replace("%0A", "\n", StringComparison.Ordinal).Replace("%0D", "\r", StringComparison.Ordinal)
        .Replace("%3A", ":", StringComparison.Ordinal).Replace("%2C", ",", StringComparison.Ordinal)
        .Replace("%25", "%", StringComparison.Ordinal);

    [TestMethod]
    public void AnnotationValuesAreEscapedAsTheRunnerRequires()
    {
        const string nasty = "50% of a, b: c\r\nnext";

        Assert.AreEqual("50%25 of a, b: c%0D%0Anext", GitHubAnnotations.EscapeData(nasty));
        Assert.AreEqual("50%25 of a%2C b%3A c%0D%0Anext", GitHubAnnotations.EscapeProperty(nasty));
        Assert.AreEqual("%2525", GitHubAnnotations.EscapeData("%25"), "a literal %25 stays itself after unescaping");
        Assert.AreEqual("::error title=run%3A a%2C b::50%25 of a, b: c%0D%0Anext",
            GitHubAnnotations.Command(FindingSeverity.Critical, "run: a, b", nasty));
        Assert.AreEqual("::notice title=t::m", GitHubAnnotations.Command(FindingSeverity.Info, "t", "m"));
    }

    [TestMethod]
    public void AMissingLogIsAnInputErrorAndPrintsNoVerdict()
    {
        string missing = Path.Combine(Path.GetDirectoryName(s_healthy)!, "nope.jsonl");

        var (code, output, error) = Tdiag("check", s_healthy, missing, "--format", "json");

        Assert.AreEqual(ExitCodes.InputError, code);
        Assert.AreEqual("", output, "no half document on standard output");
        StringAssert.StartsWith(error, $"tdiag: error: cannot find the run log '{missing}'");
    }

    [TestMethod]
    [DataRow("--fail-on", "info")]
    [DataRow("--format", "xml")]
    public void AnUnknownThresholdOrFormatIsAUsageError(string option, string value)
    {
        var (code, _, error) = Tdiag("check", s_healthy, option, value);

        Assert.AreEqual(ExitCodes.UsageError, code);
        StringAssert.Contains(error, value);
    }
}
