using System.Text;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>A writer that keeps no text, only counts it: rendering is measured without the cost of a file or a growing buffer.</summary>
public sealed class CountingWriter : TextWriter
{
    /// <summary>Characters written so far.</summary>
    public long Count { get; private set; }

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value) => Count++;

    /// <inheritdoc />
    public override void Write(string? value) => Count += value?.Length ?? 0;

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Count += count;
}
