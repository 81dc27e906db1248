using System.Globalization;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The report's fast path for step lines: a scanner that accepts only a step line in the form <see cref="StepLine"/>
/// writes it (no whitespace, no escapes, each known property at most once, <c>"float32"</c> before the columns, as many
/// values per column as parameters announced) and reads its numbers with <see cref="JsonNumber"/>. Any other line,
/// valid or not, gets null, and the general reader (<see cref="StepLine.Read"/>) decides: so what this scanner returns is
/// always the record the general reader would return, several times faster.
/// </summary>
internal static class CanonicalStepLine
{
    private const int KindField = 0, StepField = 1, EpochField = 2, LossField = 3, LearningRateField = 4, ElapsedField = 5, TotalField = 6,
        SkippedField = 7, Float32Field = 8, GradientField = 9, WeightField = 10, UpdateField = 11;

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
    ];

    /// <summary>The step on <paramref name="line"/> when it is in the writer's form, else null.</summary>
    public static StepRecord? TryRead(ReadOnlySpan<byte> line, string[] names)
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
                default:
                    ok = (update = Column(line, ref pos, names.Length, float32)) is not null;
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

        return StepLine.Record(step.Value, epoch, loss.Value, learningRate, elapsed, total, skipped, names, gradient, weight, update);
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
            if (i == count || !Scalar(line, ref pos, float32, out values[i]) || pos >= line.Length)
            {
                return null;
            }

            if (line[pos] == (byte)']')
            {
                pos++;
                return i == count - 1 ? values : null;
            }

            if (line[pos] != (byte)',')
            {
                return null;
            }

            pos++;
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

        int start = pos;
        if (!Decimal(line, ref pos, out ulong mantissa, out int exponent, out bool exact))
        {
            return false;
        }

        double parsed;
        if (exact && JsonNumber.TryCompose(mantissa, exponent, line[start] == (byte)'-', float32, out double fast))
        {
            parsed = fast;
        }
        else
        {
            ReadOnlySpan<byte> text = line[start..pos];
            parsed = float32 ? float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        value = parsed;
        return double.IsFinite(parsed); // an overflowing number: the general reader says what it says
    }

    /// <summary>
    /// Scans a JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>) and, in the same pass, its decimal
    /// mantissa and exponent; <paramref name="exact"/> is false when the mantissa has more than 19 significant digits.
    /// </summary>
    private static bool Decimal(ReadOnlySpan<byte> line, ref int pos, out ulong mantissa, out int exponent, out bool exact)
    {
        mantissa = 0;
        exponent = 0;
        exact = true;
        int i = pos, significant = 0;
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
                mantissa = (mantissa * 10) + digit;
                exact &= ++significant <= 19;
            }
        }
        else
        {
            return false;
        }

        if (i < line.Length && line[i] == (byte)'.')
        {
            int first = ++i;
            for (; i < line.Length && (digit = (uint)(line[i] - '0')) <= 9; i++)
            {
                mantissa = (mantissa * 10) + digit;
                exponent--;
                significant += mantissa == 0 ? 0 : 1;
                exact &= significant <= 19;
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
