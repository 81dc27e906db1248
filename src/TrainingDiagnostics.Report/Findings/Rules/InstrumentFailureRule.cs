using TrainingDiagnostics.Report.View;
using static TrainingDiagnostics.Report.Findings.Rules.RuleText;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// An optional instrument of the monitor failed (its exception was contained; the training went on as without it): a
/// warning when it stood down for the rest of the run (its measurements stop there), otherwise a note. One finding per instrument.
/// </summary>
internal sealed class InstrumentFailureRule : FindingRule
{
    public override string Id => "instrument-failure";

    public override IEnumerable<Finding> Evaluate(RunView run)
    {
        foreach (InstrumentHealth instrument in run.MonitorEvents.Instruments)
        {
            string times = instrument.Failures == 1 ? "once" : Invariant($"{instrument.Failures} times");
            string title = instrument.StoodDownAt is long down
                ? Invariant($"The instrument '{instrument.Instrument}' failed {times} and stood down at step {down}: it measured nothing after that")
                : Invariant($"The instrument '{instrument.Instrument}' failed {times}; the failures were contained");
            yield return new Finding
            {
                Severity = instrument.StoodDownAt is null ? FindingSeverity.Info : FindingSeverity.Warning,
                Rule = Id,
                Title = title,
                Detail = Invariant($"First failure at step {instrument.FirstStep}, in {instrument.FirstStage}: {instrument.FirstExceptionType}: {instrument.FirstMessage} ") +
                    "The training was not affected: the monitor contains an instrument's exceptions, drops what it measured in the failed stage and goes on with the step.",
                Step = instrument.FirstStep,
                ModulePath = null,
            };
        }
    }
}
