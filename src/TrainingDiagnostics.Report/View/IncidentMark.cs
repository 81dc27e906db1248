using TrainingDiagnostics.Report.Findings;
using static System.FormattableString;

namespace TrainingDiagnostics.Report.View;

/// <summary>
/// One incident of a page's list, as the timeline, the chart rules and the script's data all name it: its step, kind,
/// severity (<c>critical</c> or <c>warning</c>) and the id of its details element.
/// </summary>
internal sealed record IncidentMark(long Step, string Kind, string Severity, string Id)
{
    /// <summary>The detailed incidents of <paramref name="run"/>, in log order, with ids <c>{idPrefix}incident-{i}</c>.</summary>
    public static IReadOnlyList<IncidentMark> Index(RunView run, string idPrefix) =>
        run.Incidents.Detailed
            .Select((a, i) => new IncidentMark(a.Step, a.Kind.ToString(), SeverityName(FindingRules.SeverityOf(a)), Invariant($"{idPrefix}incident-{i}")))
            .ToList();

    /// <summary>A severity as the page names it (a CSS class and a data value): <c>critical</c>, <c>warning</c>, <c>info</c>.</summary>
    public static string SeverityName(FindingSeverity severity) => severity.ToString().ToLowerInvariant();
}
