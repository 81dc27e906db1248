using System.Globalization;
using System.IO.Compression;

namespace TrainingDiagnostics.Cli.Demo;

/// <summary>The digits images (8x8 pixel counts 0..16) and their labels, as read from the gzip CSV.</summary>
internal sealed class DigitsDataset
{
    public const int FeatureCount = 64;
    public const int ClassCount = 10;

    private DigitsDataset(float[] features, long[] labels)
    {
        Features = features;
        Labels = labels;
    }

    /// <summary>Row-major [Count, 64] pixel counts scaled to 0..1.</summary>
    public float[] Features { get; }

    /// <summary>The digit 0..9 of each image.</summary>
    public long[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>The copy shipped next to the executable.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz");

    public static DigitsDataset Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The digits dataset was not found at '{path}'. It ships in the Data folder next to tdiag; rebuild or reinstall the tool.", path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Parse(reader, path);
    }

    private static DigitsDataset Parse(TextReader reader, string source)
    {
        var features = new List<float>();
        var labels = new List<long>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] cells = line.Split(',');
            if (cells.Length != FeatureCount + 1)
            {
                throw new InvalidDataException(
                    $"'{source}' line {lineNumber}: expected {FeatureCount} pixel values and a label ({FeatureCount + 1} columns), found {cells.Length}.");
            }

            for (int c = 0; c <= FeatureCount; c++)
            {
                int max = c < FeatureCount ? 16 : ClassCount - 1;
                if (!int.TryParse(cells[c], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 0 || value > max)
                {
                    throw new InvalidDataException(
                        $"'{source}' line {lineNumber}, column {c + 1}: expected an integer 0..{max}, found '{cells[c]}'.");
                }

                if (c < FeatureCount)
                {
                    features.Add(value / 16f);
                }
                else
                {
                    labels.Add(value);
                }
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"'{source}' holds no images.");
        }

        return new DigitsDataset(features.ToArray(), labels.ToArray());
    }
}
