using Parquet;
using Parquet.Schema;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.Export.Tables;

/// <summary><c>findings.parquet</c>: the report's verdict on each run, one row per finding with its remedy.</summary>
internal sealed class FindingsTable(string path, int capacity) : ParquetTable(path, capacity,
    new ParquetSchema(Run, Verdict, Rule, Severity, Module, Step, Title, Detail, RemedyAction, RemedyTarget, RemedyFactor, RemedyText))
{
    internal static readonly DataField<string> Run = new("run", nullable: false);
    internal static readonly DataField<string> Verdict = new("verdict", nullable: false);
    internal static readonly DataField<string> Rule = new("rule", nullable: false);
    internal static readonly DataField<string> Severity = new("severity", nullable: false);
    internal static readonly DataField<string> Module = new("module", nullable: true);
    internal static readonly DataField<long?> Step = new("step");
    internal static readonly DataField<string> Title = new("title", nullable: false);
    internal static readonly DataField<string> Detail = new("detail", nullable: false);
    internal static readonly DataField<string> RemedyAction = new("remedy_action", nullable: true);
    internal static readonly DataField<string> RemedyTarget = new("remedy_target", nullable: true);
    internal static readonly DataField<double?> RemedyFactor = new("remedy_factor");
    internal static readonly DataField<string> RemedyText = new("remedy_text", nullable: true);

    private readonly string?[] _run = new string?[capacity];
    private readonly string?[] _verdict = new string?[capacity];
    private readonly string?[] _rule = new string?[capacity];
    private readonly string?[] _severity = new string?[capacity];
    private readonly string?[] _module = new string?[capacity];
    private readonly long?[] _step = new long?[capacity];
    private readonly string?[] _title = new string?[capacity];
    private readonly string?[] _detail = new string?[capacity];
    private readonly string?[] _action = new string?[capacity];
    private readonly string?[] _target = new string?[capacity];
    private readonly double?[] _factor = new double?[capacity];
    private readonly string?[] _text = new string?[capacity];

    /// <summary>Buffers one finding; the caller writes a row group when <see cref="ParquetTable.IsFull"/>.</summary>
    public void Add(string run, RunVerdict verdict, Finding finding)
    {
        int at = Count++;
        _run[at] = run;
        _verdict[at] = verdict.Label;
        _rule[at] = finding.Rule;
        _severity[at] = finding.Severity.ToString();
        _module[at] = finding.ModulePath;
        _step[at] = finding.Step;
        _title[at] = finding.Title;
        _detail[at] = finding.Detail;
        _action[at] = finding.Remedy?.Action;
        _target[at] = finding.Remedy?.Target;
        _factor[at] = finding.Remedy?.Factor;
        _text[at] = finding.Remedy?.Text;
    }

    protected override async Task WriteColumnsAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken)
    {
        await WriteAsync(group, Run, _run, count).ConfigureAwait(false);
        await WriteAsync(group, Verdict, _verdict, count).ConfigureAwait(false);
        await WriteAsync(group, Rule, _rule, count).ConfigureAwait(false);
        await WriteAsync(group, Severity, _severity, count).ConfigureAwait(false);
        await WriteAsync(group, Module, _module, count).ConfigureAwait(false);
        await WriteAsync(group, Step, _step, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, Title, _title, count).ConfigureAwait(false);
        await WriteAsync(group, Detail, _detail, count).ConfigureAwait(false);
        await WriteAsync(group, RemedyAction, _action, count).ConfigureAwait(false);
        await WriteAsync(group, RemedyTarget, _target, count).ConfigureAwait(false);
        await WriteAsync(group, RemedyFactor, _factor, count, cancellationToken).ConfigureAwait(false);
        await WriteAsync(group, RemedyText, _text, count).ConfigureAwait(false);
    }
}
