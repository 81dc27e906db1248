using System.Buffers.Binary;
using System.Numerics;
using Google.Protobuf;
using Tensorboard;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Appends <see cref="Event"/> protocol buffers (TorchSharp's generated TensorBoard classes) to one event file through
/// one open stream, in TFRecord framing: the data's length (uint64, little-endian), the masked CRC32C of those 8 bytes,
/// the data, the masked CRC32C of the data. TorchSharp's <c>SummaryWriter</c> writes the same framing but opens, appends
/// to and closes the file for every value (about 70 µs a value here); this writer keeps the file open, so a step's
/// scalars cost a buffered write each and one flush.
/// </summary>
internal sealed class TensorBoardEventWriter : IDisposable
{
    /// <summary>The version string TensorBoard expects in the first event of a file.</summary>
    public const string FileVersion = "brain.Event:2";

    private readonly FileStream _stream;
    private byte[] _buffer = new byte[256];
    private byte[] _payload = new byte[256];

    /// <summary>Creates (or replaces) the event file at <paramref name="path"/> and writes its file-version event.</summary>
    public TensorBoardEventWriter(string path, double wallTime)
    {
        Path = path;
        // Readable while open: TensorBoard reads the file while training writes it.
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        Write(new Event { FileVersion = FileVersion, WallTime = wallTime });
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>Appends one event (buffered: see <see cref="Flush"/>).</summary>
    public void Write(Event record)
    {
        int length = record.CalculateSize();
        int total = length + 16;
        if (_buffer.Length < total)
            _buffer = new byte[Math.Max(total, _buffer.Length * 2)];
        // TorchSharp's generated classes predate span serialization: write through a CodedOutputStream over the array,
        // into the record's place after the 12 header bytes.
        var payload = new CodedOutputStream(_payload.Length < length ? _payload = new byte[Math.Max(length, _payload.Length * 2)] : _payload);
        record.WriteTo(payload);
        payload.Flush();
        Span<byte> frame = _buffer.AsSpan(0, total);
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[8..], MaskedCrc32C(frame[..8]));
        _payload.AsSpan(0, length).CopyTo(frame[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[(12 + length)..], MaskedCrc32C(frame.Slice(12, length)));
        _stream.Write(frame);
    }

    /// <summary>Hands what is buffered to the operating system, so a reader (or a crash) sees every event written so far.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// The CRC32C (Castagnoli) of <paramref name="data"/>, masked as TFRecord masks it: rotated right by 15 bits plus
    /// 0xa282ead8, so that a CRC stored inside CRC-checked data does not check itself.
    /// </summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
            crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
