using System.Buffers.Binary;

namespace TrainingDiagnostics.TestSupport;

/// <summary>
/// Reads a TFRecord file (the framing of TensorBoard event files) and checks it: each record is a uint64 length, the
/// masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data (all little-endian). Every CRC is checked
/// with <see cref="Crc32C"/>; a wrong CRC, or a file that ends inside a record, throws <see cref="InvalidDataException"/>.
/// </summary>
public static class TfRecordFile
{
    /// <summary>The records' data, in file order.</summary>
    public static List<byte[]> Read(string path)
    {
        byte[] bytes;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }

        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            Require(bytes.Length - at >= 12, path, at, "a record header (12 bytes) is cut");
            ReadOnlySpan<byte> header = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            uint headerCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4));
            Require(headerCrc == Crc32C.Masked(header), path, at, $"the length's CRC is {headerCrc:x8}, expected {Crc32C.Masked(header):x8}");
            Require(length <= (ulong)(bytes.Length - at - 16), path, at, $"the data ({length} bytes) runs past the end");
            ReadOnlySpan<byte> data = bytes.AsSpan(at + 12, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4));
            Require(dataCrc == Crc32C.Masked(data), path, at, $"the data's CRC is {dataCrc:x8}, expected {Crc32C.Masked(data):x8}");
            records.Add(data.ToArray());
            at += 16 + (int)length;
        }

        return records;
    }

    private static void Require(bool condition, string path, int offset, string what)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{path}: the TFRecord at byte {offset} is damaged: {what}.");
        }
    }
}
