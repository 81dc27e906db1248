using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

public sealed class DigitRow
{
    [VectorType(64)]
    public float[] Features { get; set; } = [];

    public float Digit { get; set; }
}

public sealed class WineRow
{
    [VectorType(13)]
    public float[] Features { get; set; } = [];

    public float Class { get; set; }
}

/// <summary>The real datasets in Data/ (see Data/README.md), as ML.NET data views.</summary>
public static class Datasets
{
    public static string DataPath(string file) => Path.Combine(AppContext.BaseDirectory, "Data", file);

    /// <summary>Digits: 64 pixel counts 0..16 (unscaled) and the digit.</summary>
    public static List<DigitRow> DigitRows()
    {
        using var file = File.OpenRead(DataPath("digits.csv.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = new List<DigitRow>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }

            float[] cells = line.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            rows.Add(new DigitRow { Features = cells[..64], Digit = cells[64] });
        }

        return rows;
    }

    /// <summary>Wine: 13 unscaled measurements and the class 0..2.</summary>
    public static List<WineRow> WineRows() => File.ReadLines(DataPath("wine_data.csv")).Skip(1)
        .Where(l => l.Length > 0)
        .Select(l => l.Split(',').Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray())
        .Select(c => new WineRow { Features = c[..13], Class = c[13] })
        .ToList();

    /// <summary>A seeded 80/20 split.</summary>
    public static (IDataView Train, IDataView Test) Split(MLContext context, IDataView data) =>
        context.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1) is var split ? (split.TrainSet, split.TestSet) : default;
}
