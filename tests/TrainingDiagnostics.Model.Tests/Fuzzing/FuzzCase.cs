using CsCheck;

namespace TrainingDiagnostics.Model.Tests.Fuzzing;

/// <summary>One fuzzed input: which real log to start from, and the corruptions applied to it in turn.</summary>
internal sealed record FuzzCase(int Log, Corruption[] Corruptions)
{
    /// <summary>Cases over <paramref name="logCount"/> base logs, each with one to three corruptions.</summary>
    public static Gen<FuzzCase> Generator(int logCount) =>
        Gen.Select(Gen.Int[0, logCount - 1], Corruption.Generator.Array[1, 3], (log, corruptions) => new FuzzCase(log, corruptions));

    /// <summary>The damaged bytes of base log <see cref="Log"/>.</summary>
    public byte[] Apply(IReadOnlyList<byte[]> logs)
    {
        byte[] bytes = logs[Log];
        foreach (Corruption corruption in Corruptions)
        {
            bytes = corruption.Apply(bytes);
        }

        return bytes;
    }

    /// <inheritdoc/>
    public override string ToString() => $"log {Log}: {string.Join(" then ", Corruptions.Select(c => c.ToString()))}";
}
