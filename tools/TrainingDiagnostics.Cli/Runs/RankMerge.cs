using System.Globalization;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report;

namespace TrainingDiagnostics.Cli.Runs;

/// <summary>
/// Merges the per-rank logs of one distributed run into one in-memory run (the report streams them instead, through
/// <see cref="HtmlReport.WriteLogs(IReadOnlyList{string}, string, ReportOptions?, IProgress{double}?)"/>, with the same rules). Each log's rank is its metadata's
/// <see cref="RunMetadata.Rank"/> (written by the monitor from <c>MonitorOptions.Rank</c>), or, for logs written before
/// that field existed, a <c>rank</c> tag holding a non-negative integer; its world size likewise
/// <see cref="RunMetadata.WorldSize"/> or a <c>world size</c> tag. Logs are per-rank logs of one run when each has a
/// rank, all ranks differ, they share the run name and the world size (when known, every rank is below it). The merged run:
/// <list type="bullet">
/// <item>has the lowest rank's metadata, without a rank, with a <c>ranks</c> tag (for example <c>0, 1, 2, 3</c>) in
/// place of any <c>rank</c> tag;</item>
/// <item>has one step per step number: the loss is the mean over the ranks that logged the step (a NaN on any rank
/// makes it NaN); the total gradient norm and the step time are the largest; the step is skipped when any rank skipped it;</item>
/// <item>keeps the lowest rank's parameters, each with the largest gradient norm and update ratio over the ranks (a
/// non-finite value on any rank wins, so a fault on one rank is not averaged away);</item>
/// <item>keeps every rank's incidents, each message prefixed with <c>[rank r]</c>, ordered by step then rank;</item>
/// <item>has one value per metric and step: the mean over the ranks that recorded it (each rank evaluates its own shard);</item>
/// <item>is incomplete when any rank's log is.</item>
/// </list>
/// </summary>
internal static class RankMerge
{
    public const string RankTag = RankLogs.RankTag;
    public const string WorldSizeTag = RankLogs.WorldSizeTag;
    public const string RanksTag = RankLogs.RanksTag;

    /// <summary>Whether <paramref name="runs"/> are the per-rank logs of one run (see the type's remarks).</summary>
    public static bool AreRanksOfOneRun(IReadOnlyList<DiagnosticsRun> runs) => RankLogs.AreRanksOfOneRun(runs.Select(r => r.Metadata).ToList());

    /// <summary>The log's rank: <see cref="RunMetadata.Rank"/>, else its <c>rank</c> tag; null when neither says a non-negative integer.</summary>
    public static int? Rank(DiagnosticsRun run) => RankLogs.Rank(run.Metadata);

    /// <summary>The log's world size: <see cref="RunMetadata.WorldSize"/>, else its <c>world size</c> tag; null when unknown.</summary>
    public static int? WorldSize(DiagnosticsRun run) => RankLogs.WorldSize(run.Metadata);

    public static DiagnosticsRun Merge(IReadOnlyList<DiagnosticsRun> runs)
    {
        if (!AreRanksOfOneRun(runs))
        {
            throw new ArgumentException("The runs are not the per-rank logs of one run (each needs a distinct rank, in its metadata or a 'rank' tag, and the same run name and world size).", nameof(runs));
        }

        var ordered = runs.OrderBy(r => Rank(r)!.Value).ToArray();
        DiagnosticsRun first = ordered[0];
        var tags = first.Metadata.Tags.Where(t => t.Key != RankTag).ToDictionary(t => t.Key, t => t.Value);
        tags[RanksTag] = string.Join(", ", ordered.Select(r => Rank(r)!.Value.ToString(CultureInfo.InvariantCulture)));

        var steps = ordered
            .SelectMany(r => r.Steps)
            .GroupBy(s => s.Step)
            .OrderBy(g => g.Key)
            .Select(g => MergeStep(g.ToList()))
            .ToList();
        var metrics = ordered
            .SelectMany(r => r.Metrics)
            .GroupBy(m => (m.Step, m.Name))
            .OrderBy(g => g.Key.Step).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => g.First() with { Value = g.Average(m => m.Value) })
            .ToList();
        var anomalies = ordered
            .SelectMany(r => r.Anomalies.Select(a => (Rank: Rank(r)!.Value, Event: a)))
            .OrderBy(x => x.Event.Step).ThenBy(x => x.Rank)
            .Select(x => x.Event with { Message = $"[rank {x.Rank.ToString(CultureInfo.InvariantCulture)}] {x.Event.Message}" })
            .ToList();

        return new DiagnosticsRun
        {
            Metadata = first.Metadata with { Tags = tags, Rank = null, WorldSize = WorldSize(first) },
            Steps = steps,
            Anomalies = anomalies,
            Metrics = metrics,
            IsComplete = ordered.All(r => r.IsComplete),
            SkippedRecordCount = ordered.Sum(r => r.SkippedRecordCount),
        };
    }

    private static StepRecord MergeStep(List<StepRecord> ranks)
    {
        StepRecord first = ranks[0];
        var layers = first.Layers.Select(layer =>
        {
            var same = ranks.Select(r => r.Layers.FirstOrDefault(l => l.Name == layer.Name)).Where(l => l is not null).Select(l => l!).ToList();
            return layer with
            {
                GradientNorm = Largest(same.Select(l => l.GradientNorm)),
                UpdateRatio = Largest(same.Select(l => l.UpdateRatio)),
            };
        }).ToList();
        return first with
        {
            Loss = ranks.Average(r => r.Loss),
            GradientNorm = Largest(ranks.Select(r => r.GradientNorm)),
            ElapsedMilliseconds = Largest(ranks.Select(r => r.ElapsedMilliseconds)),
            Skipped = ranks.Any(r => r.Skipped == true) ? true : first.Skipped,
            Layers = layers,
        };
    }

    /// <summary>The largest present value; a NaN or infinity wins over any finite value; null when none is present.</summary>
    private static double? Largest(IEnumerable<double?> values)
    {
        double? best = null;
        foreach (double? value in values)
        {
            if (value is not double v)
            {
                continue;
            }

            if (!double.IsFinite(v))
            {
                return v;
            }

            best = best is double b ? Math.Max(b, v) : v;
        }

        return best;
    }
}
