using System.Globalization;
using System.Text;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Converts a run log (a monitored TorchSharp run, an ML.NET pipeline's run, an old log) into a TensorBoard event file,
/// with the tags the live monitor writes (<see cref="Monitoring.MonitorOptions.TensorBoardDirectory"/>): the step
/// scalars (<c>loss</c>, <c>learning_rate</c>, <c>grad_norm/total</c>, <c>grad_norm/NAME</c>, <c>weight_norm/NAME</c>,
/// <c>update_ratio/NAME</c>), metrics under their own names, <c>curvature/top_eigenvalue</c> and <c>curvature/trace</c>,
/// and incidents, heals and pipeline fits as text (<c>anomalies/text_summary</c>, <c>heals/text_summary</c>,
/// <c>pipeline/text_summary</c>). A log holds no tensors, so there are no histograms.
/// </summary>
/// <remarks>
/// One pass over the log, one record in memory at a time (<see cref="RunLogCursor"/>): memory stays bounded whatever
/// the log's length. Wall times are the run's start plus the steps' recorded durations, so TensorBoard's relative time
/// axis shows the training's own time. The file's name is fixed by the run (start, name, rank): converting the same log
/// again replaces the file instead of adding a second copy of the run.
/// </remarks>
public static class TensorBoardExport
{
    /// <summary>How TensorBoard recognizes an event file: its name starts with this.</summary>
    public const string FileNamePrefix = "events.out.tfevents.";

    /// <summary>Converts the run log at <paramref name="logPath"/> into one event file in <paramref name="directory"/>.</summary>
    /// <param name="logPath">The run log.</param>
    /// <param name="directory">The folder to write the event file into; created if needed.</param>
    /// <param name="progress">Receives the share of the log read so far (0 to 1), now and then; may be null.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidDataException">The file is not a run log, or is damaged before its last line (no event file is left).</exception>
    /// <exception cref="FileNotFoundException">The log does not exist.</exception>
    /// <exception cref="IOException">The event file could not be written.</exception>
    public static TensorBoardExportResult FromRunLog(string logPath, string directory, IProgress<double>? progress = null)
    {
        using RunLogCursor cursor = RunLogReader.Open(logPath);
        return FromRunLog(cursor, directory, progress);
    }

    /// <summary>Converts the records of <paramref name="cursor"/> (from where it stands to its end) into one event file in <paramref name="directory"/>.</summary>
    /// <param name="cursor">An open run log, usually before its first record.</param>
    /// <param name="directory">The folder to write the event file into; created if needed.</param>
    /// <param name="progress">Receives the share of the log read so far (0 to 1), now and then; may be null.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidDataException">The log is damaged before its last line (no event file is left).</exception>
    /// <exception cref="IOException">The event file could not be written.</exception>
    public static TensorBoardExportResult FromRunLog(RunLogCursor cursor, string directory, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        RunMetadata metadata = cursor.Metadata;
        double start = metadata.StartedAt is { } started ? started.ToUnixTimeMilliseconds() / 1000.0 : 0;
        double wallTime = start;
        long steps = 0;
        var exporter = new TensorBoardExporter(directory, FileName(metadata), flushEachWrite: false, clock: () => wallTime);
        bool written = false;
        try
        {
            while (cursor.MoveNext())
            {
                switch (cursor.Current)
                {
                    case StepRecord step:
                        wallTime += step.ElapsedMilliseconds is { } ms && double.IsFinite(ms) && ms > 0 ? ms / 1000.0 : 0;
                        exporter.Write(step);
                        if (++steps % 4096 == 0 && progress is not null && cursor.Length is > 0 and { } length)
                            progress.Report((double)cursor.BytesRead / length);
                        break;
                    case MetricRecord metric:
                        exporter.Write(metric);
                        break;
                    case CurvatureRecord curvature:
                        exporter.Write(curvature);
                        break;
                    case AnomalyEvent anomaly:
                        exporter.Write(anomaly);
                        break;
                    case HealRecord heal:
                        exporter.Write(heal);
                        break;
                    case ObservedFitRecord fit:
                        exporter.Write(fit);
                        break;
                }
            }

            written = true;
        }
        finally
        {
            exporter.Dispose();
            if (!written)
                File.Delete(exporter.EventFile); // a damaged log leaves no half run for TensorBoard to show
        }

        progress?.Report(1);
        return new TensorBoardExportResult
        {
            EventFile = exporter.EventFile,
            RunName = metadata.RunName,
            StepCount = steps,
            ScalarCount = exporter.ScalarCount,
            TextCount = exporter.TextCount,
            IsComplete = cursor.IsComplete,
        };
    }

    /// <summary>The event file's name for a run: start time, run name (letters, digits, '-', '_' and '.'; others become '_'), rank.</summary>
    internal static string FileName(RunMetadata metadata)
    {
        var name = new StringBuilder(metadata.RunName.Length);
        foreach (char c in metadata.RunName.Length > 80 ? metadata.RunName[..80] : metadata.RunName)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        long seconds = metadata.StartedAt?.ToUnixTimeSeconds() ?? 0;
        string rank = metadata.Rank is { } r ? string.Create(CultureInfo.InvariantCulture, $".rank{r}") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{FileNamePrefix}{seconds}.tdiag.{name}{rank}");
    }
}
