using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Rendering;

namespace TrainingDiagnostics.Report.Tests;

/// <summary>
/// The step axis every chart shares. Steps are Int64: a damaged or hand-written log can put them at the type's limits,
/// where the axis used to overflow (its tick loop never ended, found by the fuzzed report test).
/// </summary>
[TestClass]
public sealed class StepScaleTests
{
    [TestMethod]
    public void TicksAreRoundStepsAboutFiveOfThem()
    {
        CollectionAssert.AreEqual(new long[] { 0, 20, 40, 60, 80, 100 }, new StepScale(0, 100).Ticks().ToArray());
        CollectionAssert.AreEqual(new long[] { 1000, 1500, 2000, 2500, 3000 }, new StepScale(999, 3001).Ticks().ToArray());
        CollectionAssert.AreEqual(new long[] { -10, -5, 0, 5 }, new StepScale(-12, 7).Ticks().ToArray());
    }

    [TestMethod]
    [DataRow(long.MinValue, long.MaxValue)]
    [DataRow(long.MaxValue - 3, long.MaxValue)]
    [DataRow(long.MinValue, long.MinValue + 3)]
    [DataRow(long.MaxValue, long.MaxValue)]
    [DataRow(long.MinValue, long.MinValue)]
    [DataRow(0L, long.MaxValue)]
    public void AtInt64sLimitsTicksEndWithinTheAxisAndSharesSpanZeroToOne(long min, long max)
    {
        var axis = new StepScale(min, max);

        long[] ticks = axis.Ticks().Take(1000).ToArray();

        Assert.IsTrue(ticks.Length is >= 1 and <= 12, $"{ticks.Length} ticks: {string.Join(", ", ticks)}");
        Assert.IsTrue(ticks.All(t => t >= axis.Min && t <= axis.Max));
        Assert.IsTrue(ticks.Zip(ticks.Skip(1)).All(p => p.First < p.Second), "increasing");
        Assert.AreEqual(0, axis.Share(axis.Min));
        Assert.AreEqual(1, axis.Share(axis.Max));
        Assert.IsTrue(axis.Min < axis.Max, "a single step gets an axis one step wide");
    }

    [TestMethod]
    public void ARunWithStepsAtBothLimitsAndAnAbsurdStepTimeRenders()
    {
        DiagnosticsRun run = TestRuns.Run(
            [
                new StepRecord { Step = long.MinValue, Loss = 2, ElapsedMilliseconds = 1e300 },
                new StepRecord { Step = 0, Loss = 1, ElapsedMilliseconds = double.PositiveInfinity },
                new StepRecord { Step = long.MaxValue, Loss = 0.5 },
            ],
            anomalies: [new AnomalyEvent { Kind = AnomalyKind.NonFiniteLoss, Step = long.MaxValue, Phase = AnomalyPhase.Forward, Message = "NaN" }]);
        var text = new StringWriter();

        Task render = Task.Run(() => HtmlReport.Write(run, text));

        Assert.IsTrue(render.Wait(TimeSpan.FromSeconds(30)), "the report renders in time (it used to loop forever)");
        string html = text.ToString();
        StringAssert.Contains(html, "9223372036854775807");
        StringAssert.Contains(html, "-9223372036854775808");
        StringAssert.EndsWith(html.TrimEnd(), "</html>");
    }

    [TestMethod]
    public void TrainingTimeOverADayShowsItsHours()
    {
        // 25 hours of steps: h:mm:ss used to print the hours of the day only ("1:00:00").
        DiagnosticsRun run = TestRuns.Run(Enumerable.Range(0, 25).Select(i => new StepRecord { Step = i, Loss = 1, ElapsedMilliseconds = 3_600_000 }));
        var text = new StringWriter();

        HtmlReport.Write(run, text);

        StringAssert.Contains(text.ToString(), "<dd>25:00:00</dd>");
    }
}
