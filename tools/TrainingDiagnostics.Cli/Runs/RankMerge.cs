using System.Globalization;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Runs;

/// <summary>
/// Merges the per-rank logs of one distributed run into one run. Logs are per-rank logs of one run when each has a
/// <c>rank</c> tag (an integer), all ranks differ, and they share the run name (and the <c>world size</c> tag, when
/// present). The merged run:
/// <list type="bullet">
/// <item>has rank 0's metadata (the lowest rank's), with the <c>rank</c> tag replaced by <c>ranks</c> (for example <c>0, 1, 2, 3</c>);</item>
/// <item>has one step per step number: the loss is the mean over the ranks that logged the step (a NaN on any rank
/// makes it NaN); the total gradient norm and the step time are the largest; the step is skipped when any rank skipped it;</item>
/// <item>keeps the lowest rank's parameters, each with the largest gradient norm and update ratio over the ranks (a
/// non-finite value on any rank wins, so a fault on one rank is not averaged away);</item>
/// <item>keeps every rank's incidents, each message prefixed with <c>[rank r]</c>, ordered by step then rank;</item>
/// <item>is incomplete when any rank's log is.</item>
/// </list>
/// </summary>
internal static class RankMerge
{
    public const string RankTag = "rank";
    public const string WorldSizeTag = "world size";
    public const string RanksTag = "ranks";

    /// <summary>Whether <paramref name="runs"/> are the per-rank logs of one run (see the type's remarks).</summary>
    public static bool AreRanksOfOneRun(IReadOnlyList<DiagnosticsRun> runs)
    {
        if (runs.Count < 2)
        {
            return false;
        }

        int?[] ranks = runs.Select(Rank).ToArray();
        return ranks.All(r => r is not null)
            && ranks.Distinct().Count() == runs.Count
            && runs.Select(r => r.Metadata.RunName).Distinct(StringComparer.Ordinal).Count() == 1
            && runs.Select(r => r.Metadata.Tags.GetValueOrDefault(WorldSizeTag)).Distinct(StringComparer.Ordinal).Count() == 1;
    }

    public static DiagnosticsRun Merge(IReadOnlyList<DiagnosticsRun> runs)
    {
        if (!AreRanksOfOneRun(runs))
        {
            throw new ArgumentException("The runs are not the per-rank logs of one run (each needs a distinct integer 'rank' tag and the same run name).", nameof(runs));
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
        var anomalies = ordered
            .SelectMany(r => r.Anomalies.Select(a => (Rank: Rank(r)!.Value, Event: a)))
            .OrderBy(x => x.Event.Step).ThenBy(x => x.Rank)
            .Select(x => x.Event with { Message = $"[rank {x.Rank.ToString(CultureInfo.InvariantCulture)}] {x.Event.Message}" })
            .ToList();

        return new DiagnosticsRun
        {
            Metadata = first.Metadata with { Tags = tags },
            Steps = steps,
            Anomalies = anomalies,
            IsComplete = ordered.All(r => r.IsComplete),
            SkippedRecordCount = ordered.Sum(r => r.SkippedRecordCount),
        };
    }

    private static int? Rank(DiagnosticsRun run) =>
        run.Metadata.Tags.TryGetValue(RankTag, out string? text)
        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int rank) && rank >= 0
            ? rank
            : null;

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
