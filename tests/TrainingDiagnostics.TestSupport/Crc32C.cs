namespace TrainingDiagnostics.TestSupport;

/// <summary>
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit from its definition: an oracle independent of the
/// table-driven or hardware versions under test. Check value: CRC32C("123456789") = 0xE3069283.
/// </summary>
public static class Crc32C
{
    /// <summary>The CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>The CRC as TFRecord stores it: rotated right by 15 bits plus 0xa282ead8.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
