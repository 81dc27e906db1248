using System.Text;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The non-blank lines of a run log as UTF-8 bytes, with their 1-based line numbers, read in large blocks (no string
/// per line). A line stays valid until the next call. Counts the bytes consumed, for progress.
/// </summary>
internal sealed class LineSource : IDisposable
{
    private readonly Stream? _stream;
    private readonly TextReader? _text;
    private readonly bool _ownsInput;
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private bool _eof;
    private int _lineNumber;
    private bool _first = true;

    public LineSource(Stream stream, bool ownsInput)
    {
        _stream = stream;
        _ownsInput = ownsInput;
        Length = stream.CanSeek ? stream.Length : null;
    }

    public LineSource(TextReader text, bool ownsInput)
    {
        _text = text;
        _ownsInput = ownsInput;
    }

    /// <summary>The input's length in bytes when known (a file), else null.</summary>
    public long? Length { get; }

    /// <summary>Bytes consumed so far (through the end of the last line returned).</summary>
    public long BytesRead { get; private set; }

    public bool TryNext(out ReadOnlySpan<byte> line, out int lineNumber)
    {
        while (true)
        {
            if (!TryRawLine(out line))
            {
                lineNumber = 0;
                return false;
            }

            _lineNumber++;
            if (_first)
            {
                _first = false;
                if (line.StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }
            }

            if (!IsBlank(line))
            {
                lineNumber = _lineNumber;
                return true;
            }
        }
    }

    public void Dispose()
    {
        if (_ownsInput)
        {
            _stream?.Dispose();
            _text?.Dispose();
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private bool TryRawLine(out ReadOnlySpan<byte> line)
    {
        if (_text is not null)
        {
            string? text = _text.ReadLine();
            if (text is null)
            {
                line = default;
                return false;
            }

            int count = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_buffer.Length < count)
            {
                _buffer = new byte[count];
            }

            int length = Encoding.UTF8.GetBytes(text, _buffer);
            BytesRead += length + 1;
            line = _buffer.AsSpan(0, length);
            return true;
        }

        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = TrimCr(_buffer.AsSpan(_start, newline));
                _start += newline + 1;
                BytesRead += newline + 1;
                return true;
            }

            if (_eof)
            {
                if (_end > _start)
                {
                    line = TrimCr(_buffer.AsSpan(_start, _end - _start));
                    BytesRead += _end - _start;
                    _start = _end;
                    return true;
                }

                line = default;
                return false;
            }

            Fill();
        }
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        }

        int read = _stream!.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
