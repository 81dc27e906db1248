using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// One finding per kind of incident and place (kind, phase, module, operation): the first step, how often, the
/// message and the suggested fix. Severity from the kind table in Model (<see cref="AnomalyKinds"/>).
/// </summary>
internal sealed class IncidentRule : FindingRule
{
    public const string RuleId = "incident";

    public override string Id => RuleId;

    public override IEnumerable<Finding> Evaluate(RunView run) =>
        run.Incidents.Groups.Select(g =>
        {
            AnomalyEvent first = g.First;
            string where = first.ModulePath is null ? "" : $" in {first.ModulePath}";
            string operation = first.Operation is null ? "" : $" ({first.Operation})";
            string times = g.Count == 1 ? "" : Invariant($", {g.Count} times");
            string detail = first.Suggestion is null ? first.Message : $"{first.Message} Fix: {first.Suggestion}";
            return new Finding
            {
                Severity = FindingRules.SeverityOf(first),
                Rule = RuleId,
                Title = Invariant($"{AnomalyKinds.Of(first.Kind).Title}{where}{operation}, {first.Phase.ToString().ToLowerInvariant()} pass, first at step {first.Step}{times}"),
                Detail = detail,
                Step = first.Step,
                ModulePath = first.ModulePath,
            };
        });
}
