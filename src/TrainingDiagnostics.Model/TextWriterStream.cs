using System.Text;

namespace TrainingDiagnostics.Model;

/// <summary>
/// A write-only stream over a <see cref="TextWriter"/>, so that <see cref="RunLogWriter"/> has one byte sink: each write
/// is whole UTF-8 lines, decoded and passed on as text.
/// </summary>
internal sealed class TextWriterStream(TextWriter text) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => text.Write(Encoding.UTF8.GetString(buffer));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => text.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            text.Dispose();
        }

        base.Dispose(disposing);
    }
}
