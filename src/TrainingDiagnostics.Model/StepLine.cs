using System.Text.Json;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The step line's converter, for the writer and the reader alike: the compact (version-2) step line and the parameters
/// line, written with a <see cref="Utf8JsonWriter"/> and parsed with a forward-only JSON reader (no document, no
/// per-parameter record, one array per column). The field names are defined here once.
/// </summary>
internal static class StepLine
{
    /// <summary>The step line's <c>"kind"</c> property, first on the line.</summary>
    public static readonly JsonEncodedText Kind = JsonEncodedText.Encode(RunLogSchema.KindProperty);

    /// <summary>The <c>"step"</c> kind value.</summary>
    public static readonly JsonEncodedText StepKind = JsonEncodedText.Encode(RunLogSchema.StepKind);

    /// <summary>The step number (<see cref="StepRecord.Step"/>).</summary>
    public static readonly JsonEncodedText Step = JsonEncodedText.Encode("step");

    /// <summary><see cref="StepRecord.Epoch"/>.</summary>
    public static readonly JsonEncodedText Epoch = JsonEncodedText.Encode("epoch");

    /// <summary><see cref="StepRecord.Loss"/>.</summary>
    public static readonly JsonEncodedText Loss = JsonEncodedText.Encode("loss");

    /// <summary><see cref="StepRecord.LearningRate"/>.</summary>
    public static readonly JsonEncodedText LearningRate = JsonEncodedText.Encode("learningRate");

    /// <summary><see cref="StepRecord.ElapsedMilliseconds"/>.</summary>
    public static readonly JsonEncodedText ElapsedMilliseconds = JsonEncodedText.Encode("elapsedMilliseconds");

    /// <summary><see cref="StepRecord.GradientNorm"/>.</summary>
    public static readonly JsonEncodedText GradientNorm = JsonEncodedText.Encode("gradientNorm");

    /// <summary><see cref="StepRecord.Skipped"/>.</summary>
    public static readonly JsonEncodedText Skipped = JsonEncodedText.Encode("skipped");

    /// <summary>The version-1 per-parameter objects (<see cref="StepRecord.Layers"/>); a version-2 line never has it.</summary>
    public static readonly JsonEncodedText Layers = JsonEncodedText.Encode("layers");

    /// <summary>Says the per-parameter values are float32 text.</summary>
    public static readonly JsonEncodedText Float32 = JsonEncodedText.Encode(RunLogSchema.Float32Property);

    /// <summary>The per-parameter gradient norms.</summary>
    public static readonly JsonEncodedText GradientNorms = JsonEncodedText.Encode(RunLogSchema.GradientNormsProperty);

    /// <summary>The per-parameter weight norms.</summary>
    public static readonly JsonEncodedText WeightNorms = JsonEncodedText.Encode(RunLogSchema.WeightNormsProperty);

    /// <summary>The per-parameter update ratios.</summary>
    public static readonly JsonEncodedText UpdateRatios = JsonEncodedText.Encode(RunLogSchema.UpdateRatiosProperty);

    /// <summary>The <c>"parameters"</c> kind value.</summary>
    public static readonly JsonEncodedText ParametersKind = JsonEncodedText.Encode(RunLogSchema.ParametersKind);

    /// <summary>The names of a parameters line.</summary>
    public static readonly JsonEncodedText Names = JsonEncodedText.Encode(RunLogSchema.NamesProperty);

    /// <summary>Writes the step line of <paramref name="step"/>, whose per-parameter values are <paramref name="layers"/> (in announced order).</summary>
    public static void Write(Utf8JsonWriter json, StepRecord step, IReadOnlyList<LayerStatistics> layers)
    {
        json.WriteStartObject();
        json.WriteString(Kind, StepKind);
        json.WriteNumber(Step, step.Step);
        if (step.Epoch is int epoch)
        {
            json.WriteNumber(Epoch, epoch);
        }

        WriteNumber(json, Loss, step.Loss);
        WriteOptional(json, LearningRate, step.LearningRate);
        WriteOptional(json, ElapsedMilliseconds, step.ElapsedMilliseconds);
        WriteOptional(json, GradientNorm, step.GradientNorm);
        if (step.Skipped is bool skipped)
        {
            json.WriteBoolean(Skipped, skipped);
        }

        if (layers.Count > 0)
        {
            // Columns (a step read from a log, or built by a caller as columns) are written without a record per value.
            double?[] gradient, weight, update;
            if (layers is ParameterColumns columns)
            {
                (gradient, weight, update) = (columns.GradientNorms.ToArray(), columns.WeightNorms.ToArray(), columns.UpdateRatios.ToArray());
            }
            else
            {
                (gradient, weight, update) = (new double?[layers.Count], new double?[layers.Count], new double?[layers.Count]);
                for (int i = 0; i < layers.Count; i++)
                {
                    LayerStatistics layer = layers[i];
                    (gradient[i], weight[i], update[i]) = (layer.GradientNorm, layer.WeightNorm, layer.UpdateRatio);
                }
            }

            bool float32 = AllFloat32(gradient) && AllFloat32(weight) && AllFloat32(update);
            if (float32)
            {
                json.WriteBoolean(Float32, true);
            }

            WriteColumn(json, GradientNorms, gradient, float32);
            if (Array.Exists(weight, v => v is not null))
            {
                WriteColumn(json, WeightNorms, weight, float32);
            }

            if (Array.Exists(update, v => v is not null))
            {
                WriteColumn(json, UpdateRatios, update, float32);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the parameters line announcing <paramref name="names"/>.</summary>
    public static void WriteNames(Utf8JsonWriter json, string[] names)
    {
        json.WriteStartObject();
        json.WriteString(Kind, ParametersKind);
        json.WriteStartArray(Names);
        foreach (string name in names)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A version-1 step line (per-parameter objects), read with the source-generated contract.</summary>
    public static StepRecord ReadVersion1(ReadOnlySpan<byte> line, RunLogCursor cursor, int lineNumber)
    {
        StepRecord step = cursor.Deserialize(line, RunLogJsonContext.Default.StepRecord, lineNumber);
        if (step.Layers is null)
        {
            return step with { Layers = [] };
        }

        foreach (LayerStatistics layer in step.Layers)
        {
            if (layer is null || layer.Name is null)
            {
                throw cursor.Damaged(lineNumber, "a layer entry is null or has no name", null);
            }
        }

        return cursor.Checked(step, RunLogJsonContext.Default.StepRecord, lineNumber);
    }

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
            if (reader.ValueTextEquals(Step.EncodedUtf8Bytes))
            {
                reader.Read();
                step = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value)
                    ? value
                    : throw new JsonException("\"step\" is not an integer in the range of Int64");
            }
            else if (reader.ValueTextEquals(Loss.EncodedUtf8Bytes))
            {
                reader.Read();
                loss = Number(ref reader);
            }
            else if (reader.ValueTextEquals(GradientNorms.EncodedUtf8Bytes))
            {
                gradient = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(WeightNorms.EncodedUtf8Bytes))
            {
                weight = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(UpdateRatios.EncodedUtf8Bytes))
            {
                update = Column(ref reader, names, float32, cursor, lineNumber);
            }
            else if (reader.ValueTextEquals(Float32.EncodedUtf8Bytes))
            {
                reader.Read();
                float32 = reader.TokenType == JsonTokenType.True;
                float32Late = float32 && (gradient ?? weight ?? update) is not null;
            }
            else if (reader.ValueTextEquals(Epoch.EncodedUtf8Bytes))
            {
                reader.Read();
                epoch = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetInt32(out int value) => value,
                    _ => throw new JsonException("\"epoch\" is not null or an integer in the range of Int32"),
                };
            }
            else if (reader.ValueTextEquals(LearningRate.EncodedUtf8Bytes))
            {
                reader.Read();
                learningRate = Number(ref reader);
            }
            else if (reader.ValueTextEquals(ElapsedMilliseconds.EncodedUtf8Bytes))
            {
                reader.Read();
                elapsed = Number(ref reader);
            }
            else if (reader.ValueTextEquals(GradientNorm.EncodedUtf8Bytes))
            {
                reader.Read();
                total = Number(ref reader);
            }
            else if (reader.ValueTextEquals(Skipped.EncodedUtf8Bytes))
            {
                reader.Read();
                skipped = reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean();
            }
            else if (reader.ValueTextEquals(Layers.EncodedUtf8Bytes))
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

        return Record(step.Value, epoch, loss.Value, learningRate, elapsed, total, skipped, names, gradient, weight, update);
    }

    /// <summary>The record of a version-2 step line's fields; its layers are the columns (none without gradient norms).</summary>
    public static StepRecord Record(
        long step, int? epoch, double loss, double? learningRate, double? elapsed, double? total, bool? skipped,
        string[] names, double?[]? gradient, double?[]? weight, double?[]? update) => new()
        {
            Step = step,
            Epoch = epoch,
            Loss = loss,
            LearningRate = learningRate,
            ElapsedMilliseconds = elapsed,
            GradientNorm = total,
            Skipped = skipped,
            Layers = gradient is null ? [] : new ParameterColumns(names, gradient, weight, update),
        };

    /// <summary>The names of a parameters line, or null when it has none.</summary>
    public static string[]? ReadNames(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(Names.EncodedUtf8Bytes))
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

            values[count++] = float32 && reader.TokenType == JsonTokenType.Number ? Single(ref reader) : Number(ref reader);
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

    private static bool AllFloat32(double?[] values)
    {
        foreach (double? value in values)
        {
            if (value is double v && double.IsFinite(v) && (double)(float)v != v)
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteColumn(Utf8JsonWriter json, JsonEncodedText name, double?[] values, bool float32)
    {
        json.WriteStartArray(name);
        foreach (double? value in values)
        {
            if (value is not double v)
            {
                json.WriteNullValue();
            }
            else if (!double.IsFinite(v))
            {
                json.WriteStringValue(NamedLiteral(v));
            }
            else if (float32)
            {
                json.WriteNumberValue((float)v); // shortest float32 text: about half the digits of a double's
            }
            else
            {
                json.WriteNumberValue(v); // shortest text that round-trips
            }
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, double? value)
    {
        if (value is double v)
        {
            WriteNumber(json, name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, NamedLiteral(value));
        }
    }

    private static string NamedLiteral(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    private static double Single(ref Utf8JsonReader reader) =>
        !reader.HasValueSequence && JsonNumber.TryParseSingle(reader.ValueSpan, out double value) ? value : reader.GetSingle();

    private static double? Number(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => !reader.HasValueSequence && !reader.ValueIsEscaped && JsonNumber.TryParseDouble(reader.ValueSpan, out double value) ? value : reader.GetDouble(),
        JsonTokenType.Null => null,
        JsonTokenType.String when reader.ValueTextEquals("NaN"u8) => double.NaN,
        JsonTokenType.String when reader.ValueTextEquals("Infinity"u8) => double.PositiveInfinity,
        JsonTokenType.String when reader.ValueTextEquals("-Infinity"u8) => double.NegativeInfinity,
        _ => throw new JsonException("expected a number, null, or \"NaN\", \"Infinity\", \"-Infinity\""),
    };
}
