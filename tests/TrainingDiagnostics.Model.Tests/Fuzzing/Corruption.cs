using System.Text;
using System.Text.Json;
using CsCheck;

namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>
/// One deterministic damage to the bytes of a run log: a <see cref="CorruptionKind"/> and three arguments (positions,
/// choices, sizes) taken modulo what the log offers, so that any generated value applies to any log and a failing case
/// shrinks towards small arguments.
/// </summary>
internal sealed record Corruption(CorruptionKind Kind, int A, int B, int C)
{
    /// <summary>Values that are out of range, of another type, or not JSON at all, to put where a record's value was.</summary>
    public static readonly string[] Replacements =
    [
        // Integers out of Int64's and Int32's range, and their edges.
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
        "9223372036854775807", "-9223372036854775808", "2147483648", "-2147483649", "2147483647",
        // Doubles out of range, denormal, edges; numbers of odd shape.
        "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "-1.7976931348623157e308",
        "-1", "0", "-0", "1.5", "1E2", "0.0", "99",
        // Other types.
        "true", "false", "null", "\"\"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "\"12\"", "\"99\"",
        "\"<script>alert(1)</script>\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"2026-13-45T99:99:99\"",
        "\"Critical\"", "\"Forward\"", "\"NonFiniteLoss, NonFiniteGradient\"",
        "[]", "[null]", "[1,2,3]", "[\"a\",1,null]", "[[1]]", "{}", "{\"name\":null}", "{\"a\":[1,{\"b\":2}]}",
        // Not JSON.
        "NaN", "Infinity", "01", "+1", ".5", "1.", "0x10", "'x'", "undefined", "",
    ];

    /// <summary>Numbers at and beyond the edges of Int64, Int32 and double: what overflows arithmetic on steps, counts and durations.</summary>
    public static readonly string[] EdgeNumbers =
    [
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "2147483647", "-2147483648",
        "1.7976931348623157e308", "-1.7976931348623157e308", "1e400", "-1e400", "4.9e-324", "-1", "0", "-0",
    ];

    /// <summary>Kinds to give a line: every kind a log holds, and kinds no version knows.</summary>
    public static readonly string[] Kinds =
        ["header", "step", "parameters", "anomaly", "metric", "curvature", "dataProfile", "observedFit", "stepp", "", "STEP", "instrument"];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82]];

    private static readonly int[] Depths = [10, 63, 64, 65, 200, 5_000, 100_000];

    /// <summary>Any corruption, with arguments anywhere in [0, 2^30].</summary>
    public static Gen<Corruption> Generator { get; } =
        Gen.Select(Gen.Enum<CorruptionKind>(), Gen.Int[0, 1 << 30], Gen.Int[0, 1 << 30], Gen.Int[0, 1 << 30],
            (kind, a, b, c) => new Corruption(kind, a, b, c));

    /// <summary>The damaged copy of <paramref name="log"/> (which is not changed).</summary>
    public byte[] Apply(byte[] log)
    {
        switch (Kind)
        {
            case CorruptionKind.FlipBit:
            {
                if (log.Length == 0)
                {
                    return log;
                }

                byte[] copy = (byte[])log.Clone();
                copy[A % copy.Length] ^= (byte)(1 << (B % 8));
                return copy;
            }

            case CorruptionKind.Truncate:
                return log[..(A % (log.Length + 1))];
            case CorruptionKind.InsertGarbage:
                return Insert(log, A % (log.Length + 1), Garbage());
            case CorruptionKind.NulBytes:
            {
                int at = A % (log.Length + 1), count = 1 + (C % 8);
                if (B % 2 == 0)
                {
                    return Insert(log, at, new byte[count]);
                }

                byte[] copy = (byte[])log.Clone();
                Array.Clear(copy, at, Math.Min(count, copy.Length - at));
                return copy;
            }

            case CorruptionKind.InvalidUtf8:
                return InLine(log, (line, _) =>
                {
                    List<JsonToken> strings = JsonToken.Scan(line).Where(t => t.Type is JsonTokenType.String or JsonTokenType.PropertyName).ToList();
                    byte[] bad = BadUtf8[C % BadUtf8.Length];
                    if (strings.Count == 0)
                    {
                        return Insert(line, B % (line.Length + 1), bad);
                    }

                    JsonToken target = strings[B % strings.Count];
                    return Insert(line, target.Start + 1 + ((target.End - target.Start - 2) / 2), bad);
                });
            case CorruptionKind.DuplicateLine:
                return Lines(log, lines => lines.Insert(A % lines.Count, lines[A % lines.Count]));
            case CorruptionKind.DeleteLine:
                return Lines(log, lines => lines.RemoveAt(A % lines.Count));
            case CorruptionKind.SwapLines:
                return Lines(log, lines =>
                {
                    int i = A % lines.Count, j = B % lines.Count;
                    (lines[i], lines[j]) = (lines[j], lines[i]);
                });
            case CorruptionKind.RepeatHeader:
                return Lines(log, lines => lines.Insert(1 + (A % lines.Count), lines[0]));
            case CorruptionKind.MissingHeader:
                return Lines(log, lines => lines.RemoveAt(0));
            case CorruptionKind.JoinLines:
                return Lines(log, lines =>
                {
                    int i = A % lines.Count;
                    if (i + 1 < lines.Count)
                    {
                        lines[i] = [.. lines[i], .. (B % 2 == 0 ? ""u8 : " "u8), .. lines[i + 1]];
                        lines.RemoveAt(i + 1);
                    }
                });
            case CorruptionKind.SplitLine:
                return InLine(log, (line, _) => Insert(line, B % (line.Length + 1), "\n"u8.ToArray()));
            case CorruptionKind.DeepNesting:
            {
                int depth = Depths[C % Depths.Length];
                string nest = (C / Depths.Length) % 2 == 0
                    ? new string('[', depth) + "1" + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                return (B % 3) switch
                {
                    0 => InLine(log, (line, _) => ReplaceToken(line, B / 3, Encoding.UTF8.GetBytes(nest))),
                    1 => Lines(log, lines => lines.Insert(A % (lines.Count + 1), Encoding.UTF8.GetBytes($"{{\"kind\":\"step\",\"step\":1,\"loss\":1,\"deep\":{nest}}}"))),
                    _ => Lines(log, lines => lines.Insert(A % (lines.Count + 1), Encoding.UTF8.GetBytes(new string('[', depth)))),
                };
            }

            case CorruptionKind.ReplaceValue:
                return InLine(log, (line, _) => ReplaceToken(line, B, Encoding.UTF8.GetBytes(Replacements[C % Replacements.Length])));
            case CorruptionKind.EdgeNumber:
                return InLine(log, (line, _) =>
                {
                    List<JsonToken> tokens = JsonToken.Scan(line);
                    List<JsonToken> numbers = JsonToken.Properties(tokens).Select(p => tokens[p + 1]).Where(t => t.Type == JsonTokenType.Number).ToList();
                    return numbers.Count == 0
                        ? line
                        : Splice(line, numbers[B % numbers.Count].Start, numbers[B % numbers.Count].End, Encoding.UTF8.GetBytes(EdgeNumbers[C % EdgeNumbers.Length]));
                });
            case CorruptionKind.ChangeKind:
                return InLine(log, (line, _) =>
                {
                    List<JsonToken> tokens = JsonToken.Scan(line);
                    int name = tokens.FindIndex(t => t.Type == JsonTokenType.PropertyName && line.AsSpan(t.Start).StartsWith("\"kind\""u8));
                    return name < 0 || name + 1 >= tokens.Count || !tokens[name + 1].IsValue
                        ? line
                        : Splice(line, tokens[name + 1].Start, tokens[name + 1].End, Encoding.UTF8.GetBytes($"\"{Kinds[B % Kinds.Length]}\""));
                });
            case CorruptionKind.RemoveProperty:
                return InLine(log, (line, _) => RemoveProperty(line, B));
            case CorruptionKind.DuplicateProperty:
                return InLine(log, (line, _) => DuplicateProperty(line, B, C % 2 == 0 ? null : Encoding.UTF8.GetBytes(Replacements[(C / 2) % Replacements.Length])));
            case CorruptionKind.HugeLine:
            {
                int size = (1 << 20) + (C % (1 << 20)); // 1 to 2 MB: past the reader's 1 MB buffer, which must grow
                return (B % 4) switch
                {
                    0 => Lines(log, lines => lines.Insert(A % (lines.Count + 1), Printable(size))),
                    1 => InLine(log, (line, _) => ReplaceString(line, B / 4, Encoding.UTF8.GetBytes("\"" + new string('x', size) + "\""))),
                    2 => Lines(log, lines => lines.Insert(A % (lines.Count + 1), Encoding.UTF8.GetBytes(
                        "{\"kind\":\"step\",\"step\":3,\"loss\":1,\"gradientNorms\":[" + string.Join(",", Enumerable.Repeat("0.5", size / 4)) + "]}"))),
                    _ => Lines(log, lines => lines.Insert(A % (lines.Count + 1), Enumerable.Repeat((byte)' ', size).ToArray())),
                };
            }

            case CorruptionKind.LineEndings:
                return (B % 5) switch
                {
                    0 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(log).Replace("\n", "\r\n", StringComparison.Ordinal)),
                    1 => Insert(log, A % (log.Length + 1), "\r"u8.ToArray()),
                    2 => Insert(log, 0, [0xEF, 0xBB, 0xBF]),
                    3 => Lines(log, lines => lines[A % lines.Count] = [0xEF, 0xBB, 0xBF, .. lines[A % lines.Count]]),
                    _ => Lines(log, lines => lines.InsertRange(A % (lines.Count + 1), [[], " \t"u8.ToArray(), []])),
                };
            default:
                throw new InvalidOperationException($"no corruption for {Kind}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}({A}, {B}, {C})";

    private byte[] Garbage()
    {
        var random = new Random(C);
        int length = 1 + (C % 64);
        return (B % 5) switch
        {
            0 => Enumerable.Range(0, length).Select(_ => (byte)random.Next(256)).ToArray(),
            1 => Enumerable.Range(0, length).Select(_ => "{}[]\":,\\"u8[random.Next(8)]).ToArray(),
            2 => "\n"u8.ToArray(),
            3 => "{\"kind\":\"step\""u8.ToArray(),
            _ => Enumerable.Range(0, length).Select(_ => (byte)random.Next(32, 127)).ToArray(),
        };
    }

    private static byte[] Printable(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(32 + (bytes[i] % 95)); // printable ASCII, no newline
        }

        return bytes;
    }

    private static byte[] Insert(byte[] bytes, int at, byte[] inserted) => [.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)];

    private static byte[] Splice(byte[] bytes, int start, int end, ReadOnlySpan<byte> replacement) => [.. bytes.AsSpan(0, start), .. replacement, .. bytes.AsSpan(end)];

    /// <summary>Applies <paramref name="change"/> to the line list (at least one line; the final newline kept as it was).</summary>
    private static byte[] Lines(byte[] log, Action<List<byte[]>> change)
    {
        bool endsWithNewline = log.Length > 0 && log[^1] == (byte)'\n';
        List<byte[]> lines = Split(endsWithNewline ? log[..^1] : log);
        change(lines);
        var joined = new byte[lines.Sum(l => l.Length + 1)];
        int at = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            lines[i].CopyTo(joined, at);
            at += lines[i].Length;
            if (i + 1 < lines.Count || endsWithNewline)
            {
                joined[at++] = (byte)'\n';
            }
        }

        return joined[..at];
    }

    /// <summary>Replaces line <see cref="A"/> (modulo the line count) by what <paramref name="change"/> makes of it.</summary>
    private byte[] InLine(byte[] log, Func<byte[], int, byte[]> change) =>
        Lines(log, lines =>
        {
            int i = A % lines.Count;
            lines[i] = change(lines[i], i);
        });

    private static List<byte[]> Split(byte[] text)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == (byte)'\n')
            {
                lines.Add(text[start..i]);
                start = i + 1;
            }
        }

        return lines;
    }

    /// <summary>Replaces a value: on even <paramref name="index"/> the value of a property (step, loss, kind...), else any value (array entries too).</summary>
    private static byte[] ReplaceToken(byte[] line, int index, byte[] replacement)
    {
        List<JsonToken> tokens = JsonToken.Scan(line);
        List<JsonToken> values = index % 2 == 0
            ? JsonToken.Properties(tokens).Select(p => tokens[p + 1]).ToList()
            : tokens.Where(t => t.IsValue).ToList();
        index /= 2;
        if (values.Count == 0)
        {
            return Insert(line, index % (line.Length + 1), replacement);
        }

        JsonToken target = values[index % values.Count];
        return Splice(line, target.Start, target.End, replacement);
    }

    private static byte[] ReplaceString(byte[] line, int index, byte[] replacement)
    {
        List<JsonToken> strings = JsonToken.Scan(line).Where(t => t.Type == JsonTokenType.String).ToList();
        return strings.Count == 0 ? line : Splice(line, strings[index % strings.Count].Start, strings[index % strings.Count].End, replacement);
    }

    private static byte[] RemoveProperty(byte[] line, int index)
    {
        List<JsonToken> tokens = JsonToken.Scan(line);
        List<int> properties = JsonToken.Properties(tokens);
        if (properties.Count == 0)
        {
            return line;
        }

        int name = properties[index % properties.Count];
        int start = tokens[name].Start, end = tokens[name + 1].End;
        int after = end;
        while (after < line.Length && line[after] is (byte)' ' or (byte)'\t')
        {
            after++;
        }

        if (after < line.Length && line[after] == (byte)',')
        {
            return Splice(line, start, after + 1, []); // the comma after it
        }

        int before = start - 1;
        while (before >= 0 && line[before] is (byte)' ' or (byte)'\t')
        {
            before--;
        }

        return before >= 0 && line[before] == (byte)',' ? Splice(line, before, end, []) : Splice(line, start, end, []);
    }

    private static byte[] DuplicateProperty(byte[] line, int index, byte[]? otherValue)
    {
        List<JsonToken> tokens = JsonToken.Scan(line);
        List<int> properties = JsonToken.Properties(tokens);
        if (properties.Count == 0)
        {
            return line;
        }

        int name = properties[index % properties.Count];
        JsonToken value = tokens[name + 1];
        byte[] copy = otherValue is null
            ? line[tokens[name].Start..value.End]
            : [.. line.AsSpan(tokens[name].Start, value.Start - tokens[name].Start), .. otherValue];
        return Insert(line, value.End, [(byte)',', .. copy]);
    }
}
