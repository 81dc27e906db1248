namespace TrainingDiagnostics.Model;

/// <summary>
/// The step kind: a <see cref="StepRecord"/> written and read by <see cref="StepLine"/> (the compact version-2 line,
/// per-parameter values as columns after a <c>parameters</c> line; a line in the writer's exact form is read by the fast
/// <see cref="CanonicalStepLine"/>), version-1 lines read by the same scanner when in the old writer's form, else with the
/// source-generated contract.
/// </summary>
internal sealed class StepKind() : RunLogKind(RunLogSchema.StepKind, typeof(StepRecord))
{
    public override IReadOnlyList<object> RecordsOf(DiagnosticsRun run) => run.Steps;

    public override DiagnosticsRun WithRecords(DiagnosticsRun run, IEnumerable<object> records) => run with { Steps = records.Cast<StepRecord>().ToList() };

    internal override bool SameRecords(DiagnosticsRun a, DiagnosticsRun b) => a.Steps.SequenceEqual(b.Steps);

    internal override void Write(RunLogWriter writer, object record) => writer.AppendStep((StepRecord)record);

    internal override object? Read(ReadOnlySpan<byte> line, RunLogCursor cursor, int lineNumber) =>
        CanonicalStepLine.TryRead(line, cursor.ParameterNames, cursor.LayerNames)
        ?? StepLine.Read(line, cursor.ParameterNames, cursor, lineNumber)
        ?? StepLine.ReadVersion1(line, cursor, lineNumber);
}
