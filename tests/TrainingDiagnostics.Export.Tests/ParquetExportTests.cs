using System.Globalization;
using DuckDB.NET.Data;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Export.Tests;

/// <summary>
/// The Parquet tables read back by DuckDB: SQL over the files returns the numbers <see cref="RunLogReader"/> gives for the
/// same logs (per-parameter means, losses at given steps, incident counts, the report's findings with their remedies).
/// </summary>
[TestClass]
public sealed class ParquetExportTests
{
    private static string s_folder = null!;
    private static string[] s_logs = null!;
    private static string s_export = null!;
    private static ParquetExportSummary s_summary = null!;

    [ClassInitialize]
    public static async Task ExportOnce(TestContext context)
    {
        s_folder = Path.Combine(Path.GetTempPath(), "tdiag-tests", "parquet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(s_folder);
        s_logs =
        [
            Log("a.jsonl", l => SyntheticRuns.Write(l, "run-a", 120, seed: 1)),
            Log("b.jsonl", l => SyntheticRuns.Write(l, "run b, with 'quotes'", 90, seed: 2)),
            Log("c0.jsonl", l => SyntheticRuns.Write(l, "run-c", 70, seed: 3, rank: 0, worldSize: 2)),
            Log("c1.jsonl", l => SyntheticRuns.Write(l, "run-c", 70, seed: 4, rank: 1, worldSize: 2)),
        ];
        s_export = Path.Combine(s_folder, "export");
        s_summary = await ParquetExport.WriteAsync(s_logs, s_export, cancellationToken: context.CancellationTokenSource.Token);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(s_folder))
            Directory.Delete(s_folder, recursive: true);
    }

    [TestMethod]
    public void PerParameterMeanGradientNormsEqualTheRunLogs()
    {
        var expected = s_logs.Select(RunLogReader.Read)
            .SelectMany(run => run.Steps.SelectMany(s => s.Layers.Select(l => (Run: run.Metadata.RunName, l.Name, l.GradientNorm))))
            .Where(x => x.GradientNorm is { } g && double.IsFinite(g))
            .GroupBy(x => (x.Run, x.Name))
            .ToDictionary(g => g.Key, g => (Mean: g.Average(x => x.GradientNorm!.Value), Count: (long)g.Count()));
        var actual = Query($"SELECT run, parameter, avg(gradient_norm), count(*) FROM read_parquet('{Table(ParquetExport.StepsFile)}') " +
            "WHERE isfinite(gradient_norm) GROUP BY run, parameter")
            .ToDictionary(r => ((string)r[0], (string)r[1]), r => (Mean: (double)r[2], Count: (long)r[3]));
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (key, (mean, count)) in expected)
        {
            Assert.AreEqual(count, actual[key].Count, $"{key}");
            Assert.AreEqual(mean, actual[key].Mean, Math.Abs(mean) * 1e-12, $"{key}");
        }
    }

    [TestMethod]
    public void EveryStepRowKeepsItsNullsAndNaNs()
    {
        DiagnosticsRun a = RunLogReader.Read(s_logs[0]);
        long rows = a.Steps.Sum(s => s.Layers.Count);
        long noWeight = a.Steps.Sum(s => s.Layers.Count(l => l.WeightNorm is null));
        long noUpdate = a.Steps.Sum(s => s.Layers.Count(l => l.UpdateRatio is null));
        var r = Query($"SELECT count(*), count(*) FILTER (weight_norm IS NULL), count(*) FILTER (update_ratio IS NULL), " +
            $"count(*) FILTER (isnan(gradient_norm)), sum(weight_norm) FROM read_parquet('{Table(ParquetExport.StepsFile)}') WHERE run = 'run-a'").Single();
        Assert.AreEqual(rows, (long)r[0]);
        Assert.AreEqual(noWeight, (long)r[1]);
        Assert.AreEqual(noUpdate, (long)r[2]);
        Assert.AreEqual(1L, (long)r[3], "the planted NaN gradient norm");
        double weights = a.Steps.Sum(s => s.Layers.Sum(l => l.WeightNorm ?? 0));
        Assert.AreEqual(weights, (double)r[4], weights * 1e-12);
        Assert.AreEqual(s_logs.Sum(p => RunLogReader.Read(p).Steps.Sum(s => (long)s.Layers.Count)), s_summary.StepRows);
    }

    [TestMethod]
    public void LossesAtGivenStepsEqualTheRunLog()
    {
        DiagnosticsRun b = RunLogReader.Read(s_logs[1]);
        long[] steps = [0, 17, 40, 89];
        var actual = Query($"SELECT step, value FROM read_parquet('{Table(ParquetExport.ScalarsFile)}') " +
            $"WHERE run = 'run b, with ''quotes''' AND name = 'loss' AND step IN ({string.Join(", ", steps)}) ORDER BY step");
        CollectionAssert.AreEqual(steps, actual.Select(r => (long)r[0]).ToArray());
        for (int i = 0; i < steps.Length; i++)
        {
            double expected = b.Steps.Single(s => s.Step == steps[i]).Loss;
            if (double.IsNaN(expected))
                Assert.IsTrue(double.IsNaN((double)actual[i][1]), $"step {steps[i]}: the NaN loss stays NaN");
            else
                Assert.AreEqual(expected, (double)actual[i][1], 0.0, $"step {steps[i]}");
        }

        // Metrics and curvature are scalars under their own names.
        var named = Query($"SELECT name, count(*), sum(value) FROM read_parquet('{Table(ParquetExport.ScalarsFile)}') WHERE run = 'run-a' GROUP BY name")
            .ToDictionary(r => (string)r[0], r => ((long)r[1], (double)r[2]));
        DiagnosticsRun a = RunLogReader.Read(s_logs[0]);
        Assert.AreEqual(((long)a.Metrics.Count, a.Metrics.Sum(m => m.Value)), named["validation/accuracy"]);
        Assert.AreEqual((long)a.Curvature.Count, named["curvature/top_eigenvalue"].Item1);
        Assert.AreEqual((long)a.Steps.Count, named["learning_rate"].Item1);
        Assert.AreEqual((long)a.Steps.Count, named["step_ms"].Item1);
        Assert.AreEqual(a.Steps.Sum(s => s.GradientNorm!.Value), named["gradient_norm"].Item2, 1e-9);
    }

    [TestMethod]
    public void IncidentCountsEqualTheRunLogs()
    {
        var expected = s_logs.Select(RunLogReader.Read)
            .SelectMany(run => run.Anomalies.Select(a => (run.Metadata.RunName, a.Kind.ToString(), AnomalyKinds.SeverityOf(a).ToString())))
            .GroupBy(x => x).ToDictionary(g => g.Key, g => (long)g.Count());
        var actual = Query($"SELECT run, kind, severity, count(*) FROM read_parquet('{Table(ParquetExport.IncidentsFile)}') GROUP BY ALL")
            .ToDictionary(r => ((string)r[0], (string)r[1], (string)r[2]), r => (long)r[3]);
        CollectionAssert.AreEquivalent(expected.ToList(), actual.ToList());
        var spike = Query($"SELECT value, threshold, module, rank FROM read_parquet('{Table(ParquetExport.IncidentsFile)}') WHERE run = 'run-a' AND kind = 'ExplodingGradient'").Single();
        Assert.AreEqual(123.5, (double)spike[0]);
        Assert.AreEqual(10.0, (double)spike[1]);
        Assert.IsInstanceOfType<DBNull>(spike[2]);
        Assert.IsInstanceOfType<DBNull>(spike[3], "a single-process run has no rank");
        var ranks = Query($"SELECT DISTINCT rank FROM read_parquet('{Table(ParquetExport.IncidentsFile)}') WHERE run = 'run-c' ORDER BY rank").Select(r => r[0]).ToList();
        CollectionAssert.AreEqual(new object[] { 0, 1 }, ranks, "the per-rank logs keep their rank");
    }

    [TestMethod]
    public void FindingsAreTheReportsVerdictWithRemedies()
    {
        foreach (var (run, logs) in new[] { ("run-a", new[] { s_logs[0] }), ("run-c", new[] { s_logs[2], s_logs[3] }) })
        {
            RunVerdict verdict = HtmlReport.Summarize(logs).Verdict;
            Assert.IsTrue(verdict.Findings.Count > 0, run);
            var rows = Query($"SELECT rule, severity, step, module, title, remedy_action, remedy_target, remedy_factor, verdict " +
                $"FROM read_parquet('{Table(ParquetExport.FindingsFile)}') WHERE run = '{run}'");
            var expected = verdict.Findings.Select(f => Row(f.Rule, f.Severity.ToString(), f.Step, f.ModulePath, f.Title, f.Remedy?.Action, f.Remedy?.Target, f.Remedy?.Factor, verdict.Label)).ToList();
            CollectionAssert.AreEquivalent(expected, rows.Select(r => string.Join("|", r.Select(Text))).ToList(), run);
        }

        // The NaN gradient is critical: a program can query which runs failed and what to do.
        var failed = Query($"SELECT DISTINCT run FROM read_parquet('{Table(ParquetExport.FindingsFile)}') WHERE verdict = 'Failed' ORDER BY run").Select(r => (string)r[0]).ToList();
        CollectionAssert.Contains(failed, "run-a");
        Assert.AreEqual(s_summary.FindingRows, (long)Query($"SELECT count(*) FROM read_parquet('{Table(ParquetExport.FindingsFile)}')").Single()[0]);
    }

    [TestMethod]
    public void TheDocumentedQueryAcrossAFolderOfRunsWorks()
    {
        string runs = Path.Combine(s_folder, "runs");
        Task.WaitAll(
            ParquetExport.WriteAsync([s_logs[0]], Path.Combine(runs, "a")),
            ParquetExport.WriteAsync([s_logs[1]], Path.Combine(runs, "b")));
        // docs/exports.md: the same query, over a glob of per-run folders.
        var rows = Query($"SELECT run, parameter, avg(gradient_norm) AS mean_gradient_norm FROM read_parquet('{runs.Replace('\\', '/')}/*/steps.parquet') " +
            "WHERE isfinite(gradient_norm) GROUP BY run, parameter ORDER BY run, parameter");
        Assert.AreEqual(2 * SyntheticRuns.Parameters.Length, rows.Count);
        var fromAll = Query($"SELECT run, parameter, avg(gradient_norm) FROM read_parquet('{Table(ParquetExport.StepsFile)}') " +
            "WHERE isfinite(gradient_norm) AND run IN ('run-a', 'run b, with ''quotes''') GROUP BY run, parameter ORDER BY run, parameter");
        CollectionAssert.AreEqual(fromAll.Select(r => string.Join("|", r.Select(Text))).ToList(), rows.Select(r => string.Join("|", r.Select(Text))).ToList());
    }

    [TestMethod]
    public async Task RowGroupsStayBoundedWhateverTheLogsLength()
    {
        string log = Log("long.jsonl", l => SyntheticRuns.Write(l, "long", 1000, seed: 5));
        string output = Path.Combine(s_folder, "bounded");
        ParquetExportSummary summary = await ParquetExport.WriteAsync([log], output, new ParquetExportOptions { RowGroupRows = 500 });
        Assert.AreEqual(3000L, summary.StepRows);
        var r = Query($"SELECT count(DISTINCT row_group_id), max(row_group_num_rows), sum(DISTINCT row_group_num_rows) FROM parquet_metadata('{Path.Combine(output, ParquetExport.StepsFile).Replace('\\', '/')}')").Single();
        Assert.AreEqual(7L, (long)r[0], "3,000 rows in groups of at most 500: whole steps of 3 parameters, 498 rows a group, 6 full and one of 12");
        Assert.IsTrue((long)r[1] <= 500);
        Assert.AreEqual(3000L, (long)Query($"SELECT count(*) FROM read_parquet('{Path.Combine(output, ParquetExport.StepsFile).Replace('\\', '/')}')").Single()[0]);
    }

    [TestMethod]
    public async Task ADamagedLogLeavesNoTableBehind()
    {
        string log = Log("damaged.jsonl", l => SyntheticRuns.Write(l, "damaged", 50, seed: 6));
        var lines = File.ReadAllLines(log);
        lines[20] = lines[20][..(lines[20].Length / 2)];
        File.WriteAllLines(log, lines);
        string output = Path.Combine(s_folder, "damaged-out");
        var error = await Assert.ThrowsExactlyAsync<InvalidDataException>(() => ParquetExport.WriteAsync([log], output));
        StringAssert.Contains(error.Message, "line 21");
        Assert.AreEqual(0, Directory.GetFiles(output).Length, string.Join(", ", Directory.GetFiles(output)));
    }

    private static string Log(string name, Action<string> write)
    {
        string path = Path.Combine(s_folder, name);
        write(path);
        return path;
    }

    private static string Table(string file) => Path.Combine(s_export, file).Replace('\\', '/');

    private static string Row(params object?[] values) => string.Join("|", values.Select(Text));

    private static string Text(object? value) => value switch
    {
        null or DBNull => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    private static List<object[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }
}
