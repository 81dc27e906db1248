namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>The ways <see cref="Corruption"/> damages a run log: bytes, lines, and JSON values.</summary>
internal enum CorruptionKind
{
    /// <summary>One bit of one byte flipped.</summary>
    FlipBit,

    /// <summary>The log cut at any byte (a crash, a full disk, a partial copy).</summary>
    Truncate,

    /// <summary>Random bytes, JSON punctuation, a newline or a JSON fragment inserted anywhere.</summary>
    InsertGarbage,

    /// <summary>NUL bytes written over or inserted (a file preallocated and not written).</summary>
    NulBytes,

    /// <summary>An invalid UTF-8 sequence (lone byte, overlong, surrogate, beyond U+10FFFF) inside a JSON string.</summary>
    InvalidUtf8,

    /// <summary>A line written twice.</summary>
    DuplicateLine,

    /// <summary>A line lost.</summary>
    DeleteLine,

    /// <summary>Two lines in the wrong order.</summary>
    SwapLines,

    /// <summary>The header line again, anywhere (two logs concatenated).</summary>
    RepeatHeader,

    /// <summary>No header line.</summary>
    MissingHeader,

    /// <summary>A newline lost: two records on one line.</summary>
    JoinLines,

    /// <summary>A newline inserted inside a record.</summary>
    SplitLine,

    /// <summary>A value, or a whole line, nested thousands of levels deep.</summary>
    DeepNesting,

    /// <summary>A value replaced by one out of range (Int64 overflow, 1e400), of another type, or not JSON.</summary>
    ReplaceValue,

    /// <summary>A number property (step, loss, a duration, a count) set to an edge of its type or beyond it.</summary>
    EdgeNumber,

    /// <summary>A line's <c>kind</c> replaced by another kind, known or not.</summary>
    ChangeKind,

    /// <summary>A property removed.</summary>
    RemoveProperty,

    /// <summary>A property written twice, with the same value or another.</summary>
    DuplicateProperty,

    /// <summary>A line of megabytes: garbage, a huge string, a huge array, whitespace.</summary>
    HugeLine,

    /// <summary>CRLF line ends, a lone CR, a byte-order mark at the start or mid-file, blank lines.</summary>
    LineEndings,
}
