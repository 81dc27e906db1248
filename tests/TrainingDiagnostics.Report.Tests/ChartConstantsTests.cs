using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Report.Rendering;
using static TrainingDiagnostics.Report.Tests.TestRuns;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The chart constants are written once: the script gets them from the page's data (<c>"k"</c>), they are the numbers the
/// static page was drawn with, and the script keeps no copy of its own.
/// </summary>
[TestClass]
public sealed partial class ChartConstantsTests
{
    [TestMethod]
    public void TheScriptGetsTheGeometryTheStaticPageWasDrawnWith()
    {
        string html = Render(WithMetrics());
        using JsonDocument data = Data(html);
        JsonElement k = data.RootElement.GetProperty("k");

        Match viewBox = Regex.Match(html, "<svg class=\"chart\" id=\"loss-chart\" viewBox=\"0 0 ([0-9.]+) ([0-9.]+)\"");
        Assert.AreEqual(double.Parse(viewBox.Groups[1].Value, CultureInfo.InvariantCulture), k.GetProperty("w").GetDouble());
        Assert.AreEqual(double.Parse(viewBox.Groups[2].Value, CultureInfo.InvariantCulture), k.GetProperty("h").GetDouble());

        Match plot = Regex.Match(html, "id=\"loss-chart\".*?<rect class=\"plot\" x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\"", RegexOptions.Singleline);
        double left = k.GetProperty("l").GetDouble(), top = k.GetProperty("t").GetDouble();
        Assert.AreEqual(double.Parse(plot.Groups[1].Value, CultureInfo.InvariantCulture), left);
        Assert.AreEqual(double.Parse(plot.Groups[2].Value, CultureInfo.InvariantCulture), top);
        Assert.AreEqual(k.GetProperty("w").GetDouble() - left - k.GetProperty("r").GetDouble(), double.Parse(plot.Groups[3].Value, CultureInfo.InvariantCulture));
        Assert.AreEqual(k.GetProperty("h").GetDouble() - top - k.GetProperty("b").GetDouble(), double.Parse(plot.Groups[4].Value, CultureInfo.InvariantCulture));

        Assert.Contains($"<canvas id=\"heatmap-canvas\" width=\"{k.GetProperty("heatW").GetInt32()}\"", html);
        Assert.Contains($"<canvas id=\"heatmap-legend\" width=\"{k.GetProperty("legend").GetInt32()}\"", html);
    }

    [TestMethod]
    public void TheScriptsAxisRuleGivesTheStaticChartsAxis()
    {
        // A loss from 1 to 3 on a linear axis: padded by k.pad of the range at both ends, so 1 sits k.pad/(1 + 2 k.pad) of the
        // plot above its bottom.
        string html = Render(Run(Enumerable.Range(0, 3).Select(i => Step(i, 1 + i, ("w", 1)))));
        using JsonDocument data = Data(html);
        JsonElement k = data.RootElement.GetProperty("k");
        double pad = k.GetProperty("pad").GetDouble(), top = k.GetProperty("t").GetDouble(), height = k.GetProperty("h").GetDouble() - top - k.GetProperty("b").GetDouble();

        string points = Regex.Match(html, "<polyline class=\"loss\" points=\"([^\"]*)\"").Groups[1].Value;
        double[] ys = points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.AreEqual(top + height - (height * pad / (1 + (2 * pad))), ys[0], 0.01);
        Assert.AreEqual(top + (height * pad / (1 + (2 * pad))), ys[2], 0.01);

        // A constant is widened by half its size (or k.flatHalf at zero) before the padding.
        Assert.AreEqual(0.5, k.GetProperty("flatHalf").GetDouble());
        Assert.IsLessThan(1e-9, k.GetProperty("flat").GetDouble());
    }

    [TestMethod]
    public void TheHeatmapCodesDecodeWithTheEmittedCodesPerDecade()
    {
        // A gradient norm of 1000 is three decades: its code is 3 x k.perDecade.
        string html = Render(Run(Enumerable.Range(0, 3).Select(i => Step(i, 1, ("w", 1000)))));
        using JsonDocument data = Data(html);
        JsonElement k = data.RootElement.GetProperty("k");
        int code = data.RootElement.GetProperty("heat").GetProperty("g")[0][0].GetInt32();
        Assert.AreEqual(3.0, code / k.GetProperty("perDecade").GetDouble());
    }

    [TestMethod]
    public void TheScriptKeepsNoCopyOfTheConstants()
    {
        string script = ReportAssets.Script;
        foreach (string literal in new[] { "760", "480", "256", "0.05", "1e-12", "99999", "/ 100", "300" })
        {
            Assert.DoesNotContain(literal, script, $"report.js holds '{literal}': read it from the page's data (ChartConstants) instead");
        }

        foreach (string name in new[] { "K.pad", "K.flat", "K.flatHalf", "K.perDecade", "K.heatW", "K.heatH", "K.legend", "K.zero", "K.nonFinite", "K.multiples" })
        {
            Assert.Contains(name, script);
        }
    }
}
