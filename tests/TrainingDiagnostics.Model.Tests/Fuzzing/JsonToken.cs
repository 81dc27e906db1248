using System.Text.Json;

namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>One token of a JSON line: its type and byte range (a container's range spans to its closing bracket).</summary>
internal readonly record struct JsonToken(JsonTokenType Type, int Start, int End)
{
    /// <summary>Whether the token is a complete value (not a property name, not an unclosed container).</summary>
    public bool IsValue => Type != JsonTokenType.PropertyName && End > Start;

    /// <summary>
    /// The tokens of <paramref name="line"/> in order, as far as it parses: a property name is followed by its value.
    /// Containers left open by a damaged line have no end (<see cref="End"/> is -1).
    /// </summary>
    public static List<JsonToken> Scan(byte[] line)
    {
        var tokens = new List<JsonToken>();
        var open = new Stack<int>();
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 4096 });
        try
        {
            while (reader.Read())
            {
                int start = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push(tokens.Count);
                        tokens.Add(new JsonToken(reader.TokenType, start, -1));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        int first = open.Pop();
                        tokens[first] = tokens[first] with { End = (int)reader.BytesConsumed };
                        break;
                    default:
                        tokens.Add(new JsonToken(reader.TokenType, start, (int)reader.BytesConsumed));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A damaged line: the tokens before the damage are still useful targets.
        }

        return tokens;
    }

    /// <summary>The indices of the property-name tokens whose value is complete.</summary>
    public static List<int> Properties(List<JsonToken> tokens) =>
        Enumerable.Range(0, tokens.Count)
            .Where(i => tokens[i].Type == JsonTokenType.PropertyName && i + 1 < tokens.Count && tokens[i + 1].IsValue)
            .ToList();
}
