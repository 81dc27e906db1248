using System.Text.Json;

namespace TrainingDiagnostics.Model;

/// <summary>
/// Parses the compact (version-2) step line and the parameters line with a forward-only JSON reader: no document, no
/// per-parameter record, one array per column.
/// </summary>
internal static class StepLine
{
    /// <summary>The step on <paramref name="line"/>, or null when it is a version-1 line (with <c>"layers"</c>).</summary>
    public static StepRecord? Read(ReadOnlySpan<byte> line, string[] names, RunLogCursor cursor, int lineNumber)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        long? step = null;
        int? epoch = null;
        double? loss = null, learningRate = null, elapsed = null, total = null;
        bool? skipped = null;
        bool float32 = false, float32Late = false;
        double?[]? gradient = null, weight = null, update = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("step"u8))
            {
                reader.Read();
                step = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value)
                    ? value
                    : throw new JsonException("\"step\" is not an integer in the range of Int64");
            }
            else if (reader.ValueTextEquals("loss"u8))
            {
                reader.Read();
                loss = Number(ref reader);
            }
            else if (reader.ValueTextEquals(RunLogSchema.GradientNormsProperty))
            {
                gradient = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(RunLogSchema.WeightNormsProperty))
            {
                weight = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(RunLogSchema.UpdateRatiosProperty))
            {
                update = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(RunLogSchema.Float32Property))
            {
                reader.Read();
                float32 = reader.TokenType == JsonTokenType.True;
                float32Late = float32 && (gradient ?? weight ?? update) is not null;
            }
            else if (reader.ValueTextEquals("epoch"u8))
            {
                reader.Read();
                epoch = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetInt32(out int value) => value,
                    _ => throw new JsonException("\"epoch\" is not null or an integer in the range of Int32"),
                };
            }
            else if (reader.ValueTextEquals("learningRate"u8))
            {
                reader.Read();
                learningRate = Number(ref reader);
            }
            else if (reader.ValueTextEquals("elapsedMilliseconds"u8))
            {
                reader.Read();
                elapsed = Number(ref reader);
            }
            else if (reader.ValueTextEquals("gradientNorm"u8))
            {
                reader.Read();
                total = Number(ref reader);
            }
            else if (reader.ValueTextEquals("skipped"u8))
            {
                reader.Read();
                skipped = reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("layers"u8))
            {
                return null; // version 1
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("the step object is not closed");
        }

        if (line[(int)reader.BytesConsumed..].IndexOfAnyExcept(" \t\r"u8) >= 0)
        {
            throw new JsonException("text follows the step object on its line (two lines run together?)"); // a cut line joined to it
        }

        if (step is null || loss is null)
        {
            throw new JsonException("a step needs \"step\" and \"loss\"");
        }

        if (gradient is null && (weight ?? update) is not null)
        {
            throw cursor.Damaged(lineNumber, $"weight norms or update ratios without \"{RunLogSchema.GradientNormsProperty}\"", null);
        }

        if (float32Late)
        {
            Narrow(gradient);
            Narrow(weight);
            Narrow(update);
        }

        return new StepRecord
        {
            Step = step.Value,
            Epoch = epoch,
            Loss = loss.Value,
            LearningRate = learningRate,
            ElapsedMilliseconds = elapsed,
            GradientNorm = total,
            Skipped = skipped,
            Layers = gradient is null ? [] : new ParameterColumns(names, gradient, weight, update),
        };
    }

    /// <summary>The names of a parameters line, or null when it has none.</summary>
    public static string[]? ReadNames(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(RunLogSchema.NamesProperty))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return null;
                }

                var names = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    names.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("a parameter name is not a string"));
                }

                return names.ToArray();
            }

            reader.Read();
            reader.Skip();
        }

        return null;
    }

    private static double?[] Column(ref Utf8JsonReader reader, string[] names, bool float32, RunLogCursor cursor, int lineNumber)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("a per-parameter column is not an array");
        }

        var values = new double?[names.Length];
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == names.Length)
            {
                throw cursor.Damaged(lineNumber, names.Length == 0
                    ? "a step has per-parameter values but no parameters line came before it"
                    : $"a step has more per-parameter values than the {names.Length} parameters announced", null);
            }

            values[count++] = float32 && reader.TokenType == JsonTokenType.Number ? reader.GetSingle() : Number(ref reader);
        }

        if (count != names.Length)
        {
            throw cursor.Damaged(lineNumber, $"a step has {count} per-parameter values but {names.Length} parameters were announced", null);
        }

        return values;
    }

    private static void Narrow(double?[]? column)
    {
        if (column is null)
        {
            return;
        }

        for (int i = 0; i < column.Length; i++)
        {
            if (column[i] is double v && double.IsFinite(v))
            {
                column[i] = (float)v;
            }
        }
    }

    private static double? Number(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.Null => null,
        JsonTokenType.String when reader.ValueTextEquals("NaN"u8) => double.NaN,
        JsonTokenType.String when reader.ValueTextEquals("Infinity"u8) => double.PositiveInfinity,
        JsonTokenType.String when reader.ValueTextEquals("-Infinity"u8) => double.NegativeInfinity,
        _ => throw new JsonException("expected a number, null, or \"NaN\", \"Infinity\", \"-Infinity\""),
    };
}
