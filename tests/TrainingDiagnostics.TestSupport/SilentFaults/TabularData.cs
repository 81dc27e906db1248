using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>A small classification dataset held in memory: row-major features and a class per row.</summary>
public sealed class TabularData
{
    private static readonly ConcurrentDictionary<SilentDataset, TabularData> Loaded = new();

    private TabularData(SilentDataset dataset, float[] features, long[] labels, int columns, int classes)
    {
        Dataset = dataset;
        Features = features;
        Labels = labels;
        Columns = columns;
        Classes = classes;
    }

    /// <summary>Which dataset this is.</summary>
    public SilentDataset Dataset { get; }

    /// <summary>Row-major [Rows, Columns] features, in the dataset's own units (digits: pixel counts / 16).</summary>
    public float[] Features { get; }

    /// <summary>The class of each row, 0 to <see cref="Classes"/> - 1.</summary>
    public long[] Labels { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => Labels.Length;

    /// <summary>The number of feature columns.</summary>
    public int Columns { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The folder of the data files in the build output.</summary>
    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "SilentFaults", "Data");

    /// <summary>Loads a dataset from <see cref="DataFolder"/> (once per process).</summary>
    public static TabularData Load(SilentDataset dataset) => Loaded.GetOrAdd(dataset, Read);

    private static TabularData Read(SilentDataset dataset)
    {
        string file = dataset switch
        {
            SilentDataset.Digits => "digits.csv.gz",
            SilentDataset.Wine => "wine_data.csv",
            _ => "iris.csv",
        };
        string path = Path.Combine(DataFolder, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The {dataset} data of the silent-fault benchmark was not found at '{path}': build TrainingDiagnostics.TestSupport, which copies it there.", path);
        }

        using Stream raw = File.OpenRead(path);
        using Stream stream = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var reader = new StreamReader(stream);
        string[] lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // wine and iris open with "rows,columns,class names"; digits has no header and 64 pixel counts 0..16.
        bool header = dataset != SilentDataset.Digits;
        string[] rows = header ? lines[1..] : lines;
        int columns = rows[0].Split(',').Length - 1;
        var features = new float[rows.Length * columns];
        var labels = new long[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            string[] cells = rows[r].Split(',');
            if (cells.Length != columns + 1)
            {
                throw new InvalidDataException($"'{path}' row {r + 1}: expected {columns} features and a class, found {cells.Length} cells.");
            }

            for (int c = 0; c < columns; c++)
            {
                float value = float.Parse(cells[c], CultureInfo.InvariantCulture);
                features[(r * columns) + c] = dataset == SilentDataset.Digits ? value / 16f : value;
            }

            labels[r] = long.Parse(cells[columns], CultureInfo.InvariantCulture);
        }

        return new TabularData(dataset, features, labels, columns, (int)labels.Max() + 1);
    }
}
