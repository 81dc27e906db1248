using TrainingDiagnostics.Export.Tables;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Export;

/// <summary>
/// Writes run logs as four Parquet tables in one folder, for DuckDB, Spark or pandas over many runs:
/// <list type="bullet">
/// <item><c>steps.parquet</c>: run, rank, step, parameter, gradient_norm, weight_norm, update_ratio (one row per parameter per step; null where not measured);</item>
/// <item><c>scalars.parquet</c>: run, rank, step, name, value (<see cref="ScalarNames"/>: loss, learning_rate, gradient_norm, step_ms, curvature; each metric under its own name);</item>
/// <item><c>incidents.parquet</c>: run, rank, step, kind, severity, phase, module, operation, nan_count, inf_count, value, threshold, action, message, suggestion;</item>
/// <item><c>findings.parquet</c>: run, verdict, rule, severity, module, step, title, detail, remedy_action, remedy_target, remedy_factor, remedy_text (the HTML report's verdict).</item>
/// </list>
/// Several logs go into the same four tables, told apart by <c>run</c> (the run's name) and <c>rank</c>; the per-rank logs
/// of one distributed run get one verdict, as the report gives them.
/// </summary>
/// <remarks>
/// Bounded memory whatever the logs' length: the logs are read one record at a time (<see cref="RunLogCursor"/>) and each
/// table holds at most one row group (<see cref="ParquetExportOptions.RowGroupRows"/>) before writing it. The findings come
/// from the report's own streaming fold (<see cref="HtmlReport.Summarize"/>), run on a second thread beside the export. A
/// table is written under a <c>.partial</c> name and renamed when complete, so a query never reads half a table.
/// </remarks>
public static class ParquetExport
{
    /// <summary>The steps table's file name.</summary>
    public const string StepsFile = "steps.parquet";

    /// <summary>The scalars table's file name.</summary>
    public const string ScalarsFile = "scalars.parquet";

    /// <summary>The incidents table's file name.</summary>
    public const string IncidentsFile = "incidents.parquet";

    /// <summary>The findings table's file name.</summary>
    public const string FindingsFile = "findings.parquet";

    /// <summary>Exports the run logs at <paramref name="logPaths"/> into the four tables in <paramref name="directory"/> (replacing them).</summary>
    /// <param name="logPaths">Run logs: runs, the per-rank logs of runs, or both.</param>
    /// <param name="directory">The folder to write into; created if needed.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives the share of the logs' bytes read so far (0 to 1), now and then; may be null.</param>
    /// <param name="cancellationToken">Stops the export (no table is left behind).</param>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidDataException">A file is not a run log, or is damaged before its last line (no table is left behind).</exception>
    /// <exception cref="FileNotFoundException">A log does not exist.</exception>
    /// <exception cref="IOException">A table could not be written.</exception>
    public static async Task<ParquetExportSummary> WriteAsync(IReadOnlyList<string> logPaths, string directory, ParquetExportOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logPaths);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (logPaths.Count == 0)
        {
            throw new ArgumentException("At least one run log is needed.", nameof(logPaths));
        }

        options ??= new ParquetExportOptions();
        options.Validate();
        List<RunMetadata> headers = logPaths.Select(ReadHeader).ToList();
        System.IO.Directory.CreateDirectory(directory);

        // The verdicts on a second thread: the report's fold reads the logs again, beside the export's own pass.
        Task<List<(string Run, RunVerdict Verdict)>> verdicts = Task.Run(() => Verdicts(logPaths, headers), cancellationToken);
        int rows = options.RowGroupRows;
        await using var steps = new StepsTable(Path.Combine(directory, StepsFile), rows);
        await using var scalars = new ScalarsTable(Path.Combine(directory, ScalarsFile), rows);
        await using var incidents = new IncidentsTable(Path.Combine(directory, IncidentsFile), Math.Min(rows, 65_536));
        await using var findings = new FindingsTable(Path.Combine(directory, FindingsFile), Math.Min(rows, 65_536));
        var incomplete = new List<string>();
        try
        {
            long total = logPaths.Sum(p => new FileInfo(p).Length), before = 0;
            foreach (string path in logPaths)
            {
                using RunLogCursor cursor = RunLogReader.Open(path);
                string run = cursor.Metadata.RunName;
                int? rank = RankLogs.Rank(cursor.Metadata);
                long count = 0;
                while (cursor.MoveNext())
                {
                    switch (cursor.Current)
                    {
                        case StepRecord step:
                            await AddAsync(steps, run, rank, step, cancellationToken).ConfigureAwait(false);
                            await AddAsync(scalars, run, rank, step.Step, ScalarNames.Loss, step.Loss, cancellationToken).ConfigureAwait(false);
                            if (step.LearningRate is { } rate)
                                await AddAsync(scalars, run, rank, step.Step, ScalarNames.LearningRate, rate, cancellationToken).ConfigureAwait(false);
                            if (step.GradientNorm is { } norm)
                                await AddAsync(scalars, run, rank, step.Step, ScalarNames.GradientNorm, norm, cancellationToken).ConfigureAwait(false);
                            if (step.ElapsedMilliseconds is { } ms)
                                await AddAsync(scalars, run, rank, step.Step, ScalarNames.StepMilliseconds, ms, cancellationToken).ConfigureAwait(false);
                            if (++count % 4096 == 0 && progress is not null && total > 0)
                                progress.Report((double)(before + cursor.BytesRead) / total);
                            break;
                        case MetricRecord metric:
                            await AddAsync(scalars, run, rank, metric.Step, metric.Name, metric.Value, cancellationToken).ConfigureAwait(false);
                            break;
                        case CurvatureRecord curvature:
                            await AddAsync(scalars, run, rank, curvature.Step, ScalarNames.Curvature(curvature.Quantity), curvature.Value, cancellationToken).ConfigureAwait(false);
                            break;
                        case AnomalyEvent anomaly:
                            incidents.Add(run, rank, anomaly);
                            if (incidents.IsFull)
                                await incidents.FlushAsync(cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }

                if (!cursor.IsComplete)
                    incomplete.Add(path);
                before += cursor.Length ?? 0;
            }

            foreach (var (run, verdict) in await verdicts.ConfigureAwait(false))
            {
                foreach (Finding finding in verdict.Findings)
                {
                    findings.Add(run, verdict, finding);
                    if (findings.IsFull)
                        await findings.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await steps.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await scalars.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await incidents.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await findings.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Let the verdicts' thread end before the tables are deleted; its own failure is the same as this one.
            try
            {
                await verdicts.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or OperationCanceledException or ArgumentException)
            {
            }

            throw;
        }

        progress?.Report(1);
        return new ParquetExportSummary
        {
            Directory = Path.GetFullPath(directory),
            LogCount = logPaths.Count,
            StepRows = steps.Rows,
            ScalarRows = scalars.Rows,
            IncidentRows = incidents.Rows,
            FindingRows = findings.Rows,
            IncompleteLogs = incomplete,
        };
    }

    private static async Task AddAsync(StepsTable steps, string run, int? rank, StepRecord step, CancellationToken cancellationToken)
    {
        int rows = step.Layers.Count;
        if (!steps.Fits(rows))
        {
            await steps.FlushAsync(cancellationToken).ConfigureAwait(false);
            steps.Reserve(rows);
        }

        steps.Add(run, rank, step);
    }

    private static async Task AddAsync(ScalarsTable scalars, string run, int? rank, long step, string name, double value, CancellationToken cancellationToken)
    {
        scalars.Add(run, rank, step, name, value);
        if (scalars.IsFull)
            await scalars.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static RunMetadata ReadHeader(string path)
    {
        using RunLogCursor cursor = RunLogReader.Open(path);
        return cursor.Metadata;
    }

    /// <summary>The report's verdict per run: the per-rank logs of one run together (as the report merges them), any other log alone.</summary>
    private static List<(string Run, RunVerdict Verdict)> Verdicts(IReadOnlyList<string> logPaths, List<RunMetadata> headers)
    {
        var result = new List<(string, RunVerdict)>();
        var done = new bool[logPaths.Count];
        for (int i = 0; i < logPaths.Count; i++)
        {
            if (done[i])
                continue;
            List<int> group = Enumerable.Range(i, logPaths.Count - i).Where(j => !done[j] && headers[j].RunName == headers[i].RunName).ToList();
            if (group.Count < 2 || !RankLogs.AreRanksOfOneRun(group.Select(j => headers[j]).ToList()))
                group = [i];
            foreach (int j in group)
                done[j] = true;
            ReportSummary summary = HtmlReport.Summarize(group.Select(j => logPaths[j]).ToList());
            result.Add((headers[i].RunName, summary.Verdict));
        }

        return result;
    }
}
