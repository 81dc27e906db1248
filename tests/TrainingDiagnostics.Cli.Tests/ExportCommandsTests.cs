using System.Globalization;
using System.Text.Json;
using Parquet;
using TrainingDiagnostics.Cli.Commands;
using TrainingDiagnostics.Export;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.TestSupport;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// <c>tdiag tensorboard</c> and <c>tdiag export</c> on the demo's logs (a monitored run with a planted fault and an ML.NET
/// pipeline run): the files read back (event files with checked CRCs, Parquet row counts) hold what the logs hold; bad
/// inputs and outputs give exit codes 2, 3 and 4.
/// </summary>
[TestClass]
public sealed class ExportCommandsTests
{
    private static string s_folder = null!;
    private static string s_demoLog = null!;
    private static string s_mlnetLog = null!;

    [ClassInitialize]
    public static void RunTheDemos(TestContext context)
    {
        s_folder = Path.Combine(Path.GetTempPath(), "tdiag-tests", "exports-" + Guid.NewGuid().ToString("N"));
        string demo = Path.Combine(s_folder, "demo");
        string mlnet = Path.Combine(s_folder, "mlnet");
        var (code, _, error) = Tdiag("demo", "--epochs", "1", "--fault", "sqrt", "--out", demo);
        Assert.AreEqual(ExitCodes.Success, code, error);
        (code, _, error) = Tdiag("demo", "--mlnet", "--epochs", "1", "--out", mlnet);
        Assert.AreEqual(ExitCodes.Success, code, error);
        s_demoLog = Path.Combine(demo, DemoCommand.RunLogFileName);
        s_mlnetLog = Path.Combine(mlnet, DemoCommand.RunLogFileName);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(s_folder))
            Directory.Delete(s_folder, recursive: true);
    }

    [TestMethod]
    public void TensorBoardConvertsTheDemoLogWithEveryStepAndIncident()
    {
        string output = Path.Combine(s_folder, "tb-demo");
        var (code, text, error) = Tdiag("tensorboard", s_demoLog, "-o", output);
        Assert.AreEqual(ExitCodes.Success, code, error);
        DiagnosticsRun run = RunLogReader.Read(s_demoLog);
        var events = TensorBoardEvents.ReadDirectory(output); // every CRC checked
        CollectionAssert.AreEqual(run.Steps.Select(s => (s.Step, (float)s.Loss)).ToList(),
            events.Scalars.Where(s => s.Tag == "loss").Select(s => (s.Step, s.Value)).ToList());
        long perParameter = run.Steps.Sum(s => s.Layers.Count(l => l.GradientNorm is not null));
        Assert.AreEqual(perParameter, events.Scalars.Count(s => s.Tag.StartsWith("grad_norm/", StringComparison.Ordinal) && s.Tag != "grad_norm/total"));
        Assert.IsTrue(run.Anomalies.Count > 0, "the planted fault was found");
        Assert.AreEqual(run.Anomalies.Count, events.Texts.Count(t => t.Tag == "anomalies/text_summary"));
        StringAssert.Contains(text, "tensorboard --logdir");
    }

    [TestMethod]
    public void TensorBoardConvertsAnMLNetLogAndSeveralLogsGoToOneFolderEach()
    {
        string output = Path.Combine(s_folder, "tb-both");
        var (code, _, error) = Tdiag("tensorboard", s_demoLog, s_mlnetLog, "-o", output);
        Assert.AreEqual(ExitCodes.Success, code, error);
        // Both logs are named run.jsonl: the second folder gets a suffix.
        CollectionAssert.AreEquivalent(new[] { "run", "run-2" }, Directory.GetDirectories(output).Select(Path.GetFileName).ToArray());
        DiagnosticsRun run = RunLogReader.Read(s_mlnetLog);
        var events = TensorBoardEvents.ReadDirectory(Path.Combine(output, "run-2"));
        Assert.AreEqual(run.ObservedFits.Count, events.Texts.Count(t => t.Tag == "pipeline/text_summary"));
        Assert.AreEqual(run.Steps.Count, events.Scalars.Count(s => s.Tag == "loss"));
        CollectionAssert.AreEquivalent(run.Metrics.Select(m => (m.Name, m.Step, (float)m.Value)).ToList(),
            events.Scalars.Where(s => run.Metrics.Any(m => m.Name == s.Tag)).Select(s => (s.Tag, s.Step, s.Value)).ToList());
    }

    [TestMethod]
    public async Task ExportWritesFourTablesWithTheLogsRows()
    {
        string output = Path.Combine(s_folder, "parquet");
        var (code, text, error) = Tdiag("export", s_demoLog, s_mlnetLog, "-o", output);
        Assert.AreEqual(ExitCodes.Success, code, error);
        var runs = new[] { s_demoLog, s_mlnetLog }.Select(RunLogReader.Read).ToList();
        long stepRows = runs.Sum(r => r.Steps.Sum(s => (long)s.Layers.Count));
        long incidents = runs.Sum(r => (long)r.Anomalies.Count);
        Assert.AreEqual(stepRows, await Rows(Path.Combine(output, ParquetExport.StepsFile)));
        Assert.AreEqual(incidents, await Rows(Path.Combine(output, ParquetExport.IncidentsFile)));
        long scalars = runs.Sum(r => r.Steps.Sum(s => 1L + (s.LearningRate is null ? 0 : 1) + (s.GradientNorm is null ? 0 : 1) + (s.ElapsedMilliseconds is null ? 0 : 1))
            + r.Metrics.Count + r.Curvature.Count);
        Assert.AreEqual(scalars, await Rows(Path.Combine(output, ParquetExport.ScalarsFile)));
        Assert.IsTrue(await Rows(Path.Combine(output, ParquetExport.FindingsFile)) >= 2, "a verdict per run");
        StringAssert.Contains(text, string.Create(CultureInfo.InvariantCulture, $"{stepRows,12:N0} rows"));
    }

    [TestMethod]
    public void BadInputsAndOutputsGiveTheirExitCodes()
    {
        string missing = Path.Combine(s_folder, "missing.jsonl");
        string damaged = Path.Combine(s_folder, "damaged.jsonl");
        var lines = File.ReadAllLines(s_demoLog);
        lines[lines.Length / 2] = lines[lines.Length / 2][..10];
        File.WriteAllLines(damaged, lines);
        string file = Path.Combine(s_folder, "a-file");
        File.WriteAllText(file, "not a folder");
        foreach (string command in new[] { "tensorboard", "export" })
        {
            Assert.AreEqual(ExitCodes.InputError, Tdiag(command, missing, "-o", Path.Combine(s_folder, "x")).ExitCode, command);
            var (code, _, error) = Tdiag(command, damaged, "-o", Path.Combine(s_folder, command + "-damaged"));
            Assert.AreEqual(ExitCodes.InputError, code, command);
            StringAssert.Contains(error, $"line {lines.Length / 2 + 1}", command);
            Assert.AreEqual(0, Directory.Exists(Path.Combine(s_folder, command + "-damaged"))
                ? Directory.GetFiles(Path.Combine(s_folder, command + "-damaged"), "*", SearchOption.AllDirectories).Length : 0, $"{command}: nothing half-written is left");
            Assert.AreEqual(ExitCodes.OutputError, Tdiag(command, s_demoLog, "-o", file).ExitCode, command);
        }

        Assert.AreEqual(ExitCodes.UsageError, Tdiag("export", s_demoLog, "--row-group-rows", "0").ExitCode);
    }

    private static async Task<long> Rows(string path)
    {
        await using ParquetReader reader = await ParquetReader.CreateAsync(path);
        return Enumerable.Range(0, reader.RowGroupCount).Sum(i => reader.OpenRowGroupReader(i).RowCount);
    }

    private static (int ExitCode, string Output, string Error) Tdiag(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TdiagApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
