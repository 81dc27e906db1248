using System.Text.Json;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// A run log read with a generic JSON parser, not with RunLogReader: an oracle independent of the code under test.
/// </summary>
internal sealed class RunLogJson
{
    private readonly List<JsonElement> _lines;

    public RunLogJson(string path)
    {
        _lines = File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Parameters = Records("parameters").Single().GetProperty("names").EnumerateArray().Select(n => n.GetString()!).ToArray();
    }

    /// <summary>The parameter names, in the order of each step's arrays.</summary>
    public string[] Parameters { get; }

    public List<JsonElement> Records(string kind) => _lines.Where(e => e.GetProperty("kind").GetString() == kind).ToList();

    public List<JsonElement> Steps => Records("step");

    public double[] Losses => Steps.Select(s => s.GetProperty("loss").GetDouble()).ToArray();

    public double[] LearningRates => Steps.Select(s => s.GetProperty("learningRate").GetDouble()).ToArray();

    /// <summary>The values of a metric (validation/loss, validation/accuracy) in step order.</summary>
    public double[] Metric(string name) =>
        Records("metric").Where(m => m.GetProperty("name").GetString() == name).Select(m => m.GetProperty("value").GetDouble()).ToArray();

    /// <summary>A parameter's value in one of each step's arrays (gradientNorms, weightNorms), at the steps that recorded it.</summary>
    public double[] PerParameter(string array, string parameter)
    {
        int column = Array.IndexOf(Parameters, parameter);
        Assert.IsGreaterThanOrEqualTo(0, column, $"no parameter {parameter} in the log");
        return Steps.Where(s => s.TryGetProperty(array, out _)).Select(s => s.GetProperty(array)[column].GetDouble()).ToArray();
    }

    /// <summary>The means of consecutive blocks of <paramref name="size"/> values.</summary>
    public static double[] BlockMeans(double[] values, int size) =>
        Enumerable.Range(0, values.Length / size).Select(b => values.Skip(b * size).Take(size).Average()).ToArray();
}
