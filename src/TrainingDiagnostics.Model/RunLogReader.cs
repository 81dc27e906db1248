namespace TrainingDiagnostics.Model;

/// <summary>
/// Reads a JSON Lines run log (see <see cref="RunLogSchema"/>; versions 1 and 2) back into a
/// <see cref="DiagnosticsRun"/>, or opens it as a <see cref="RunLogCursor"/> to fold it one record at a time.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A last line cut mid-way (a crashed or still-running training) is dropped and the run is marked
/// incomplete (<see cref="DiagnosticsRun.IsComplete"/> is <see langword="false"/>).</item>
/// <item>A damaged line anywhere else is an <see cref="InvalidDataException"/> naming the line.</item>
/// <item>Lines of a kind this reader does not know are skipped and counted
/// (<see cref="DiagnosticsRun.SkippedRecordCount"/>).</item>
/// </list>
/// Whatever the version, every <see cref="StepRecord.Layers"/> entry carries its parameter's name.
/// </remarks>
public static class RunLogReader
{
    /// <summary>Reads the run log at <paramref name="path"/>; it may still be open for writing.</summary>
    /// <param name="path">The run log file.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidDataException">The file is not a run log, or a line before the last is damaged.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DiagnosticsRun Read(string path)
    {
        using RunLogCursor cursor = Open(path);
        return Collect(cursor);
    }

    /// <summary>Reads a run log from <paramref name="reader"/> to its end.</summary>
    /// <param name="reader">The text of the run log.</param>
    /// <param name="sourceName">A name for the source used in error messages (for example a file path).</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidDataException">The text is not a run log, or a line before the last is damaged.</exception>
    public static DiagnosticsRun Read(TextReader reader, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var cursor = new RunLogCursor(new LineSource(reader, ownsInput: false), sourceName);
        return Collect(cursor);
    }

    /// <summary>
    /// Opens the run log at <paramref name="path"/> (it may still be open for writing) and reads its header: the
    /// records follow one at a time, for a single pass in bounded memory.
    /// </summary>
    /// <param name="path">The run log file.</param>
    /// <returns>The cursor, before its first record; dispose it to close the file.</returns>
    /// <exception cref="InvalidDataException">The file is not a run log.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RunLogCursor Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        return new RunLogCursor(new LineSource(stream, ownsInput: true), path);
    }

    /// <summary>Opens a run log held in <paramref name="stream"/> (UTF-8) and reads its header.</summary>
    /// <param name="stream">The bytes of the run log, read from its current position.</param>
    /// <param name="sourceName">A name for the source used in error messages.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave <paramref name="stream"/> open when the cursor is disposed.</param>
    /// <returns>The cursor, before its first record.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a run log.</exception>
    public static RunLogCursor Open(Stream stream, string? sourceName = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new RunLogCursor(new LineSource(stream, ownsInput: !leaveOpen), sourceName);
    }

    private static DiagnosticsRun Collect(RunLogCursor cursor)
    {
        Dictionary<Type, List<object>> records = RunLogKinds.All.ToDictionary(k => k.RecordType, _ => new List<object>());
        while (cursor.MoveNext())
        {
            records[cursor.Current.GetType()].Add(cursor.Current);
        }

        var run = new DiagnosticsRun
        {
            Metadata = cursor.Metadata,
            IsComplete = cursor.IsComplete,
            SkippedRecordCount = cursor.SkippedRecordCount,
        };
        foreach (RunLogKind kind in RunLogKinds.All)
        {
            run = kind.WithRecords(run, records[kind.RecordType]);
        }

        return run;
    }
}
