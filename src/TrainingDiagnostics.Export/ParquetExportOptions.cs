namespace TrainingDiagnostics.Export;

/// <summary>Settings of <see cref="ParquetExport"/>.</summary>
public sealed record ParquetExportOptions
{
    /// <summary>The default <see cref="RowGroupRows"/>.</summary>
    public const int DefaultRowGroupRows = 262_144;

    /// <summary>
    /// Rows per Parquet row group (and so rows held in memory per table before they are written): 262,144 by default,
    /// about 20 MB of buffers for the steps table. DuckDB and Spark read row groups in parallel; more rows compress a
    /// little better. A step with more parameters than this is kept whole in one row group.
    /// </summary>
    public int RowGroupRows { get; init; } = DefaultRowGroupRows;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (RowGroupRows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RowGroupRows), RowGroupRows, "A row group needs at least one row; the default is 262,144.");
        }
    }
}
