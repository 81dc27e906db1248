using TorchSharp;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Tests.Monitoring;

/// <summary>The UCI wine data, unscaled (features from about 0.1 to 1500), shuffled with a fixed seed.</summary>
internal static class Wine
{
    public static (Tensor Features, Tensor Labels) Load()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "wine_data.csv")).Skip(1)
            .Where(l => l.Length > 0).ToArray();
        var rows = lines.Select(l => l.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var order = Enumerable.Range(0, rows.Length).OrderBy(i => (i * 7919) % rows.Length).ToArray();
        var x = rows.SelectMany(r => r.Take(13)).Select(v => (float)v).ToArray();
        var y = rows.Select(r => (long)r[13]).ToArray();
        var features = tensor(x).reshape(rows.Length, 13);
        var labels = tensor(y);
        var index = tensor(order.Select(i => (long)i).ToArray());
        return (features.index_select(0, index), labels.index_select(0, index));
    }
}
