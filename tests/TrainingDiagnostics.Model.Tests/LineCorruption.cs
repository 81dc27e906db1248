namespace TrainingDiagnostics.Model.Tests;

/// <summary>One-byte corruptions of a log line (a byte removed, replaced or inserted), for the fast parsers' fuzz tests.</summary>
internal static class LineCorruption
{
    /// <summary>The line with one byte removed, replaced by or preceded by a byte of <paramref name="alphabet"/>, at random.</summary>
    public static byte[] Corrupt(byte[] line, Random random, byte[] alphabet)
    {
        var bytes = line.ToList();
        int at = random.Next(bytes.Count);
        switch (random.Next(3))
        {
            case 0:
                bytes.RemoveAt(at);
                break;
            case 1:
                bytes[at] = alphabet[random.Next(alphabet.Length)];
                break;
            default:
                bytes.Insert(at, alphabet[random.Next(alphabet.Length)]);
                break;
        }

        return bytes.ToArray();
    }
}
