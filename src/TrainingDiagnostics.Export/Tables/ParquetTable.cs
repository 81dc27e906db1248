using Parquet;
using Parquet.Schema;

namespace TrainingDiagnostics.Export.Tables;

/// <summary>
/// One Parquet file written in row groups of bounded size: a table buffers up to <see cref="Capacity"/> rows in column
/// arrays, writes them as one row group when full, and reuses the arrays, so memory does not grow with the log. The file
/// is written under a <c>.partial</c> name and renamed when complete: a reader never sees half a table.
/// </summary>
internal abstract class ParquetTable : IAsyncDisposable
{
    /// <summary>Zstandard at its fastest level: about half the size of Snappy on norms (float32 values held as doubles) for about the same time; DuckDB, Spark 3.2+ and pyarrow read it.</summary>
    private static readonly ParquetOptions WriterOptions = new() { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest };

    private readonly string _partialPath;
    private readonly FileStream _stream;
    private ParquetWriter? _writer;
    private bool _completed;

    protected ParquetTable(string path, int capacity, ParquetSchema schema)
    {
        Path = path;
        Capacity = capacity;
        Schema = schema;
        _partialPath = path + ".partial";
        _stream = new FileStream(_partialPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);
    }

    /// <summary>The file written (once complete).</summary>
    public string Path { get; }

    /// <summary>The rows of one row group.</summary>
    public int Capacity { get; protected set; }

    /// <summary>The rows buffered and not yet written.</summary>
    public int Count { get; protected set; }

    /// <summary>The rows written or buffered so far.</summary>
    public long Rows => WrittenRows + Count;

    /// <summary>Whether the buffer is full (the caller writes a row group before adding more).</summary>
    public bool IsFull => Count >= Capacity;

    protected ParquetSchema Schema { get; }

    private long WrittenRows { get; set; }

    /// <summary>Writes the buffered rows as one row group (nothing when empty).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Count == 0)
        {
            return;
        }

        _writer ??= await ParquetWriter.CreateAsync(Schema, _stream, WriterOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        using (ParquetRowGroupWriter group = _writer.CreateRowGroup())
        {
            await WriteColumnsAsync(group, Count, cancellationToken).ConfigureAwait(false);
            group.CompleteValidate();
        }

        WrittenRows += Count;
        Count = 0;
    }

    /// <summary>Writes what is buffered, closes the file and gives it its final name.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        // A table without rows is still a file with the schema, so a query over a folder of runs never misses a table.
        _writer ??= await ParquetWriter.CreateAsync(Schema, _stream, WriterOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Move(_partialPath, Path, overwrite: true);
        _completed = true;
    }

    /// <summary>Closes the file; an incomplete table is deleted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The export failed already; the half-written file is deleted below.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Delete(_partialPath);
    }

    /// <summary>Writes the first <paramref name="count"/> buffered rows of every column, in schema order.</summary>
    protected abstract Task WriteColumnsAsync(ParquetRowGroupWriter group, int count, CancellationToken cancellationToken);

    protected static async Task WriteAsync<T>(ParquetRowGroupWriter group, DataField field, T[] values, int count, CancellationToken cancellationToken)
        where T : struct =>
        await group.WriteAsync(field, new ReadOnlyMemory<T>(values, 0, count), cancellationToken: cancellationToken).ConfigureAwait(false);

    protected static async Task WriteAsync<T>(ParquetRowGroupWriter group, DataField field, T?[] values, int count, CancellationToken cancellationToken)
        where T : struct =>
        await group.WriteAsync(field, new ReadOnlyMemory<T?>(values, 0, count), cancellationToken: cancellationToken).ConfigureAwait(false);

    protected static async Task WriteAsync(ParquetRowGroupWriter group, DataField field, string?[] values, int count) =>
        await group.WriteAsync(field, new ArraySegment<string>(values!, 0, count)).ConfigureAwait(false);
}
