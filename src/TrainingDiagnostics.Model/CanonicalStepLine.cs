using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The report's fast path for step lines: a scanner that accepts only a step line in the form <see cref="StepLine"/>
/// writes it (no whitespace, no escapes, each known property at most once, <c>"float32"</c> before the columns, as many
/// values per column as parameters announced) and reads its numbers with <see cref="JsonNumber"/>. Any other line,
/// valid or not, gets null, and the general reader (<see cref="StepLine.Read"/>) decides: so what this scanner returns is
/// always the record the general reader would return, several times faster.
/// </summary>
/// <remarks>
/// A version-1 step line (its per-parameter values as <c>"layers"</c> objects, each <c>"name"</c> first, then any of
/// <c>"gradientNorm"</c>, <c>"weightNorm"</c>, <c>"updateRatio"</c>; names plain printable ASCII) is read the same way
/// into <see cref="ParameterColumns"/> whose names are shared with the step before when they are the same
/// (<see cref="LayerNameCache"/>): equal, layer by layer, to the record the source-generated contract reads.
/// </remarks>
internal static class CanonicalStepLine
{
    private const int KindField = 0, StepField = 1, EpochField = 2, LossField = 3, LearningRateField = 4, ElapsedField = 5, TotalField = 6,
        SkippedField = 7, Float32Field = 8, GradientField = 9, WeightField = 10, UpdateField = 11, LayersField = 12;

    private const uint ColumnFields = (1u << Float32Field) | (1u << GradientField) | (1u << WeightField) | (1u << UpdateField);

    private static readonly byte[][] Fields =
    [
        StepLine.Kind.EncodedUtf8Bytes.ToArray(),
        StepLine.Step.EncodedUtf8Bytes.ToArray(),
        StepLine.Epoch.EncodedUtf8Bytes.ToArray(),
        StepLine.Loss.EncodedUtf8Bytes.ToArray(),
        StepLine.LearningRate.EncodedUtf8Bytes.ToArray(),
        StepLine.ElapsedMilliseconds.EncodedUtf8Bytes.ToArray(),
        StepLine.GradientNorm.EncodedUtf8Bytes.ToArray(),
        StepLine.Skipped.EncodedUtf8Bytes.ToArray(),
        StepLine.Float32.EncodedUtf8Bytes.ToArray(),
        StepLine.GradientNorms.EncodedUtf8Bytes.ToArray(),
        StepLine.WeightNorms.EncodedUtf8Bytes.ToArray(),
        StepLine.UpdateRatios.EncodedUtf8Bytes.ToArray(),
        StepLine.Layers.EncodedUtf8Bytes.ToArray(),
    ];

    /// <summary>The step on <paramref name="line"/> when it is in the writer's form, else null (version-2 lines only).</summary>
    public static StepRecord? TryRead(ReadOnlySpan<byte> line, string[] names) => TryRead(line, names, null);

    /// <summary>
    /// The step on <paramref name="line"/> when it is in the writer's form, else null; with <paramref name="layerNames"/>,
    /// version-1 lines too (their names shared through it).
    /// </summary>
    public static StepRecord? TryRead(ReadOnlySpan<byte> line, string[] names, LayerNameCache? layerNames)
    {
        if (line.Length < 2 || line[0] != (byte)'{' || line[1] != (byte)'"')
        {
            return null;
        }

        long? step = null;
        int? epoch = null;
        double? loss = null, learningRate = null, elapsed = null, total = null;
        bool? skipped = null;
        bool float32 = false;
        double?[]? gradient = null, weight = null, update = null;
        ParameterColumns? layers = null;
        uint seen = 0;
        int pos = 1;
        while (true)
        {
            if (pos >= line.Length || line[pos] != (byte)'"')
            {
                return null;
            }

            int length = line[(pos + 1)..].IndexOf((byte)'"');
            if (length < 0)
            {
                return null;
            }

            int field = FieldOf(line.Slice(pos + 1, length));
            pos += length + 2;
            if (field < 0 || (seen & (1u << field)) != 0 || pos >= line.Length || line[pos] != (byte)':')
            {
                return null;
            }

            seen |= 1u << field;
            pos++;
            bool ok;
            switch (field)
            {
                case KindField:
                    ok = Literal(line, ref pos, "\"step\""u8);
                    break;
                case StepField:
                    ok = Integer(line, ref pos, out long number);
                    step = number;
                    break;
                case EpochField:
                    if (Literal(line, ref pos, "null"u8))
                    {
                        ok = true;
                    }
                    else
                    {
                        ok = Integer(line, ref pos, out long e) && e is >= int.MinValue and <= int.MaxValue;
                        epoch = ok ? (int)e : null;
                    }

                    break;
                case LossField:
                    ok = Scalar(line, ref pos, float32: false, out loss);
                    break;
                case LearningRateField:
                    ok = Scalar(line, ref pos, float32: false, out learningRate);
                    break;
                case ElapsedField:
                    ok = Scalar(line, ref pos, float32: false, out elapsed);
                    break;
                case TotalField:
                    ok = Scalar(line, ref pos, float32: false, out total);
                    break;
                case SkippedField:
                    skipped = Literal(line, ref pos, "true"u8) ? true : Literal(line, ref pos, "false"u8) ? false : null;
                    ok = skipped is not null || Literal(line, ref pos, "null"u8);
                    break;
                case Float32Field:
                    // A late "float32" narrows the values already read: the general reader does that.
                    float32 = Literal(line, ref pos, "true"u8);
                    ok = (gradient ?? weight ?? update) is null && (float32 || Literal(line, ref pos, "false"u8));
                    break;
                case GradientField:
                    ok = (gradient = Column(line, ref pos, names.Length, float32)) is not null;
                    break;
                case WeightField:
                    ok = (weight = Column(line, ref pos, names.Length, float32)) is not null;
                    break;
                case UpdateField:
                    ok = (update = Column(line, ref pos, names.Length, float32)) is not null;
                    break;
                default:
                    ok = layerNames is not null && Layers(line, ref pos, layerNames, out layers);
                    break;
            }

            if (!ok || pos >= line.Length)
            {
                return null;
            }

            if (line[pos] == (byte)'}')
            {
                pos++;
                break;
            }

            if (line[pos] != (byte)',')
            {
                return null;
            }

            pos++;
        }

        if (pos != line.Length || step is null || loss is null || (seen & (1u << KindField)) == 0 || (gradient is null && (weight ?? update) is not null))
        {
            return null;
        }

        if ((seen & (1u << LayersField)) != 0)
        {
            // Version 1: the general reader reads such a line with the record's contract, where the columns mean nothing.
            return (seen & ColumnFields) != 0 ? null : new StepRecord
            {
                Step = step.Value,
                Epoch = epoch,
                Loss = loss.Value,
                LearningRate = learningRate,
                ElapsedMilliseconds = elapsed,
                GradientNorm = total,
                Skipped = skipped,
                Layers = layers is null ? [] : layers,
            };
        }

        return StepLine.Record(step.Value, epoch, loss.Value, learningRate, elapsed, total, skipped, names, gradient, weight, update);
    }

    /// <summary>
    /// A version-1 <c>"layers"</c> array: objects of a plain <c>"name"</c> first and then, each at most once,
    /// <c>"gradientNorm"</c>, <c>"weightNorm"</c>, <c>"updateRatio"</c> (a number, null, or a named non-finite value).
    /// <paramref name="layers"/> is null for an empty array.
    /// </summary>
    private static bool Layers(ReadOnlySpan<byte> line, ref int pos, LayerNameCache cache, out ParameterColumns? layers)
    {
        layers = null;
        if (!Literal(line, ref pos, "["u8))
        {
            return false;
        }

        if (pos < line.Length && line[pos] == (byte)']')
        {
            pos++;
            return true;
        }

        int capacity = Math.Max(cache.Names.Length, 4), count = 0;
        var gradient = new double?[capacity];
        double?[]? weight = null, update = null;
        bool same = true;
        while (true)
        {
            if (!Literal(line, ref pos, "{\"name\":\""u8))
            {
                return false;
            }

            int start = pos;
            while (pos < line.Length && line[pos] is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\')
            {
                pos++;
            }

            if (pos >= line.Length || line[pos] != (byte)'"')
            {
                return false; // an escape, a control or non-ASCII byte, or the end: the general reader decides
            }

            if (count == capacity)
            {
                capacity *= 2;
                Array.Resize(ref gradient, capacity);
                if (weight is not null)
                {
                    Array.Resize(ref weight, capacity);
                }

                if (update is not null)
                {
                    Array.Resize(ref update, capacity);
                }
            }

            same = same && cache.Matches(count, line[start..pos]);
            cache.Mark(count, start, pos - start);
            pos++;
            uint seen = 0;
            double? g = null, w = null, u = null;
            while (pos < line.Length && line[pos] == (byte)',')
            {
                pos++;
                int field;
                bool ok;
                if (Literal(line, ref pos, "\"gradientNorm\":"u8))
                {
                    (field, ok) = (0, Scalar(line, ref pos, float32: false, out g));
                }
                else if (Literal(line, ref pos, "\"weightNorm\":"u8))
                {
                    (field, ok) = (1, Scalar(line, ref pos, float32: false, out w));
                }
                else if (Literal(line, ref pos, "\"updateRatio\":"u8))
                {
                    (field, ok) = (2, Scalar(line, ref pos, float32: false, out u));
                }
                else
                {
                    return false;
                }

                if (!ok || (seen & (1u << field)) != 0)
                {
                    return false;
                }

                seen |= 1u << field;
            }

            if (pos >= line.Length || line[pos] != (byte)'}')
            {
                return false;
            }

            gradient[count] = g;
            if (w is not null)
            {
                (weight ??= new double?[capacity])[count] = w;
            }

            if (u is not null)
            {
                (update ??= new double?[capacity])[count] = u;
            }

            count++;
            pos++;
            if (pos >= line.Length)
            {
                return false;
            }

            if (line[pos] == (byte)']')
            {
                pos++;
                break;
            }

            if (line[pos] != (byte)',')
            {
                return false;
            }

            pos++;
        }

        if (count != capacity)
        {
            Array.Resize(ref gradient, count);
            if (weight is not null)
            {
                Array.Resize(ref weight, count);
            }

            if (update is not null)
            {
                Array.Resize(ref update, count);
            }
        }

        string[] names = same && count == cache.Names.Length ? cache.Names : cache.Update(line, count);
        layers = new ParameterColumns(names, gradient, weight, update);
        return true;
    }

    private static int FieldOf(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < Fields.Length; i++)
        {
            if (name.SequenceEqual(Fields[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Literal(ReadOnlySpan<byte> line, ref int pos, ReadOnlySpan<byte> literal)
    {
        if (line[pos..].StartsWith(literal))
        {
            pos += literal.Length;
            return true;
        }

        return false;
    }

    private static double?[]? Column(ReadOnlySpan<byte> line, ref int pos, int count, bool float32)
    {
        if (!Literal(line, ref pos, "["u8))
        {
            return null;
        }

        var values = new double?[count];
        if (pos < line.Length && line[pos] == (byte)']')
        {
            pos++;
            return count == 0 ? values : null;
        }

        for (int i = 0; ; i++)
        {
            if (i == count || pos >= line.Length)
            {
                return null;
            }

            // A number, nearly always: read here, without the general case's nullable result; null and the named values by Scalar.
            byte first = line[pos];
            if ((uint)(first - '0') <= 9 || first == (byte)'-')
            {
                if (!Number(line, ref pos, float32, out double number))
                {
                    return null;
                }

                values[i] = number;
            }
            else if (!Scalar(line, ref pos, float32, out values[i]))
            {
                return null;
            }

            if (pos >= line.Length)
            {
                return null;
            }

            byte next = line[pos++];
            if (next != (byte)',')
            {
                return next == (byte)']' && i == count - 1 ? values : null;
            }
        }
    }

    /// <summary>A number, <c>null</c>, or one of the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.</summary>
    private static bool Scalar(ReadOnlySpan<byte> line, ref int pos, bool float32, out double? value)
    {
        value = null;
        if (pos >= line.Length)
        {
            return false;
        }

        switch (line[pos])
        {
            case (byte)'n':
                return Literal(line, ref pos, "null"u8);
            case (byte)'"':
                if (Literal(line, ref pos, "\"NaN\""u8))
                {
                    value = double.NaN;
                }
                else if (Literal(line, ref pos, "\"Infinity\""u8))
                {
                    value = double.PositiveInfinity;
                }
                else if (Literal(line, ref pos, "\"-Infinity\""u8))
                {
                    value = double.NegativeInfinity;
                }

                return value is not null;
        }

        bool ok = Number(line, ref pos, float32, out double number);
        value = number;
        return ok;
    }

    /// <summary>A JSON number, as a double or a float32 widened; false when it is not one or does not fit (the general reader decides).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Number(ReadOnlySpan<byte> line, ref int pos, bool float32, out double value)
    {
        int start = pos;
        if (!Decimal(line, ref pos, out ulong mantissa, out int exponent, out bool exact))
        {
            value = 0;
            return false;
        }

        if (!exact || !JsonNumber.TryCompose(mantissa, exponent, line[start] == (byte)'-', float32, out value))
        {
            ReadOnlySpan<byte> text = line[start..pos];
            value = float32 ? float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return double.IsFinite(value); // an overflowing number: the general reader says what it says
    }

    /// <summary>
    /// Scans a JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>) and, in the same pass, its decimal
    /// mantissa and exponent; <paramref name="exact"/> is false when the mantissa has more than 19 significant digits.
    /// Fraction digits are read eight at a time where eight follow (SWAR: one 64-bit load, three multiplications).
    /// </summary>
    private static bool Decimal(ReadOnlySpan<byte> line, ref int pos, out ulong mantissa, out int exponent, out bool exact)
    {
        mantissa = 0;
        exponent = 0;
        exact = true;
        int i = pos;
        if (i < line.Length && line[i] == (byte)'-')
        {
            i++;
        }

        if (i >= line.Length)
        {
            return false;
        }

        uint digit = (uint)(line[i] - '0');
        if (digit == 0)
        {
            i++;
        }
        else if (digit <= 9)
        {
            for (; i < line.Length && (digit = (uint)(line[i] - '0')) <= 9; i++)
            {
                exact &= mantissa < MaxMantissaBeforeDigit;
                mantissa = (mantissa * 10) + digit;
            }
        }
        else
        {
            return false;
        }

        if (i < line.Length && line[i] == (byte)'.')
        {
            int first = ++i;
            while (mantissa < MaxMantissaBeforeEightDigits && i + 8 <= line.Length)
            {
                ulong chunk = BinaryPrimitives.ReadUInt64LittleEndian(line.Slice(i, 8));
                if (!EightDigits(chunk))
                {
                    break;
                }

                mantissa = (mantissa * 100_000_000) + ValueOfEightDigits(chunk);
                exponent -= 8;
                i += 8;
            }

            for (; i < line.Length && (digit = (uint)(line[i] - '0')) <= 9; i++)
            {
                exact &= mantissa < MaxMantissaBeforeDigit;
                mantissa = (mantissa * 10) + digit;
                exponent--;
            }

            if (i == first)
            {
                return false;
            }
        }

        if (i < line.Length && (line[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negative = false;
            if (i < line.Length && (line[i] == (byte)'+' || line[i] == (byte)'-'))
            {
                negative = line[i++] == (byte)'-';
            }

            int first = i, e = 0;
            for (; i < line.Length && (digit = (uint)(line[i] - '0')) <= 9; i++)
            {
                e = e < 100_000 ? (e * 10) + (int)digit : e;
            }

            if (i == first)
            {
                return false;
            }

            exponent += negative ? -e : e;
        }

        pos = i;
        return true;
    }

    /// <summary>A mantissa below this takes one more digit and stays below 10^19 (at most 19 significant digits: exact).</summary>
    private const ulong MaxMantissaBeforeDigit = 1_000_000_000_000_000_000;

    /// <summary>A mantissa below this takes eight more digits and stays below 10^19.</summary>
    private const ulong MaxMantissaBeforeEightDigits = 100_000_000_000;

    /// <summary>Whether the eight bytes of <paramref name="chunk"/> are all ASCII digits.</summary>
    private static bool EightDigits(ulong chunk) =>
        ((chunk & 0xF0F0F0F0F0F0F0F0) | (((chunk + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) == 0x3333333333333333;

    /// <summary>The value of eight ASCII digits, the first in the lowest byte.</summary>
    private static ulong ValueOfEightDigits(ulong chunk)
    {
        const ulong Mask = 0x000000FF000000FF;
        const ulong Multiplier1 = 100 + (1_000_000UL << 32);
        const ulong Multiplier2 = 1 + (10_000UL << 32);
        chunk -= 0x3030303030303030;
        chunk = (chunk * 10) + (chunk >> 8);
        return (((chunk & Mask) * Multiplier1) + (((chunk >> 16) & Mask) * Multiplier2)) >> 32;
    }

    private static bool Integer(ReadOnlySpan<byte> line, ref int pos, out long value)
    {
        value = 0;
        return Number(line, ref pos, out ReadOnlySpan<byte> text)
            && text.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A JSON number: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    private static bool Number(ReadOnlySpan<byte> line, ref int pos, out ReadOnlySpan<byte> text)
    {
        int start = pos;
        text = default;
        if (pos < line.Length && line[pos] == (byte)'-')
        {
            pos++;
        }

        if (pos >= line.Length)
        {
            return false;
        }

        if (line[pos] == (byte)'0')
        {
            pos++;
        }
        else if (!Digits(line, ref pos))
        {
            return false;
        }

        if (pos < line.Length && line[pos] == (byte)'.')
        {
            pos++;
            if (!Digits(line, ref pos))
            {
                return false;
            }
        }

        if (pos < line.Length && (line[pos] | 0x20) == (byte)'e')
        {
            pos++;
            if (pos < line.Length && (line[pos] == (byte)'+' || line[pos] == (byte)'-'))
            {
                pos++;
            }

            if (!Digits(line, ref pos))
            {
                return false;
            }
        }

        text = line[start..pos];
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> line, ref int pos)
    {
        int start = pos;
        while (pos < line.Length && (uint)(line[pos] - '0') <= 9)
        {
            pos++;
        }

        return pos > start;
    }
}
