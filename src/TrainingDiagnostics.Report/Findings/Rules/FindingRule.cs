using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Findings.Rules;

/// <summary>
/// One rule: a small function of the <see cref="RunView"/> that yields findings, with its suppression declared
/// (which other findings make it redundant) instead of calling other rules.
/// </summary>
internal abstract class FindingRule
{
    /// <summary>The stable rule identifier carried by its findings (several rules may share one when they are one story).</summary>
    public abstract string Id { get; }

    /// <summary>The findings of this rule on <paramref name="run"/>.</summary>
    public abstract IEnumerable<Finding> Evaluate(RunView run);

    /// <summary>Whether <paramref name="other"/> (another rule's finding on the same run) already says what this rule would.</summary>
    public virtual bool IsSuppressedBy(Finding other) => false;

    /// <summary>
    /// Whether <paramref name="other"/> (another rule's finding on the same run) makes this rule's finding <paramref name="own"/>
    /// redundant or misleading; by default, whether it makes the whole rule redundant (<see cref="IsSuppressedBy(Finding)"/>).
    /// </summary>
    public virtual bool IsSuppressedBy(Finding own, Finding other) => IsSuppressedBy(other);
}
