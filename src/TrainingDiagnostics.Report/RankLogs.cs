using System.Globalization;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report;

/// <summary>
/// Which logs are the per-rank logs of one distributed run, and the metadata of their merge. Each log's rank is its
/// metadata's <see cref="RunMetadata.Rank"/>, or, for logs written before that field existed, a <c>rank</c> tag holding
/// a non-negative integer; its world size likewise <see cref="RunMetadata.WorldSize"/> or a <c>world size</c> tag.
/// </summary>
/// <remarks>
/// The merged run (see <see cref="HtmlReport.WriteLogs(IReadOnlyList{string}, string, ReportOptions?, IProgress{double}?)"/>): one step per step number, its loss the mean over the ranks
/// that logged it (a NaN on any rank makes it NaN), its total gradient norm and step time the largest, skipped when
/// any rank skipped it; the lowest rank's parameters, each with the largest gradient norm and update ratio over the
/// ranks (a non-finite value on any rank wins); every rank's incidents prefixed with <c>[rank r]</c>, by step then
/// rank; one value per metric and step, the mean over ranks; incomplete when any rank's log is.
/// </remarks>
public static class RankLogs
{
    /// <summary>The tag older logs carry their rank in.</summary>
    public const string RankTag = "rank";

    /// <summary>The tag older logs carry their world size in.</summary>
    public const string WorldSizeTag = "world size";

    /// <summary>The tag of a merged run listing its ranks, for example <c>0, 1, 2, 3</c>.</summary>
    public const string RanksTag = "ranks";

    /// <summary>
    /// Whether logs with these headers are the per-rank logs of one run: at least two, each with a rank, all ranks
    /// distinct, one run name and one world size (when known, every rank below it).
    /// </summary>
    /// <param name="headers">The logs' metadata.</param>
    /// <returns><see langword="true"/> when they merge into one run.</returns>
    public static bool AreRanksOfOneRun(IReadOnlyList<RunMetadata> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.Count < 2)
        {
            return false;
        }

        int?[] ranks = headers.Select(Rank).ToArray();
        int?[] worldSizes = headers.Select(WorldSize).Distinct().ToArray();
        return ranks.All(r => r is not null)
            && ranks.Distinct().Count() == headers.Count
            && headers.Select(r => r.RunName).Distinct(StringComparer.Ordinal).Count() == 1
            && worldSizes.Length == 1
            && (worldSizes[0] is not int size || ranks.All(r => r < size));
    }

    /// <summary>The log's rank: <see cref="RunMetadata.Rank"/>, else its <c>rank</c> tag; null when neither says a non-negative integer.</summary>
    /// <param name="metadata">The log's header.</param>
    /// <returns>The rank, or null.</returns>
    public static int? Rank(RunMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.Rank is int rank ? (rank >= 0 ? rank : null) : Tag(metadata, RankTag);
    }

    /// <summary>The log's world size: <see cref="RunMetadata.WorldSize"/>, else its <c>world size</c> tag; null when unknown.</summary>
    /// <param name="metadata">The log's header.</param>
    /// <returns>The world size, or null.</returns>
    public static int? WorldSize(RunMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.WorldSize ?? Tag(metadata, WorldSizeTag);
    }

    /// <summary>
    /// The merged run's metadata: the lowest rank's, without a rank, with a <see cref="RanksTag"/> tag in place of any
    /// <see cref="RankTag"/> tag.
    /// </summary>
    /// <param name="headers">The per-rank logs' metadata (see <see cref="AreRanksOfOneRun"/>).</param>
    /// <returns>The merged metadata.</returns>
    public static RunMetadata MergedMetadata(IReadOnlyList<RunMetadata> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var ordered = headers.OrderBy(h => Rank(h) ?? int.MaxValue).ToArray();
        RunMetadata first = ordered[0];
        var tags = first.Tags.Where(t => t.Key != RankTag).ToDictionary(t => t.Key, t => t.Value);
        tags[RanksTag] = string.Join(", ", ordered.Select(r => (Rank(r) ?? 0).ToString(CultureInfo.InvariantCulture)));
        return first with { Tags = tags, Rank = null, WorldSize = WorldSize(first) };
    }

    private static int? Tag(RunMetadata metadata, string tag) =>
        metadata.Tags.TryGetValue(tag, out string? text)
        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : null;
}
