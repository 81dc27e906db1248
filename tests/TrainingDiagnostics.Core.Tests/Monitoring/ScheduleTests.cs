using TrainingDiagnostics.Monitoring;

namespace TrainingDiagnostics.Tests.Monitoring;

[TestClass]
public sealed class ScheduleTests
{
    [TestMethod]
    public void EveryFiresOnMultiples()
    {
        var due = Enumerable.Range(0, 25).Where(s => Schedule.Every(10).IsDue(s)).ToArray();
        CollectionAssert.AreEqual(new[] { 0, 10, 20 }, due);
    }

    [TestMethod]
    public void LogarithmicIsDenseEarlyAndSparseLate()
    {
        var schedule = Schedule.Logarithmic(4);
        int early = Enumerable.Range(0, 10).Count(s => schedule.IsDue(s));
        int late = Enumerable.Range(10_000, 10_000).Count(s => schedule.IsDue(s));
        Assert.IsTrue(early >= 5, $"early {early}");
        Assert.IsTrue(late is >= 1 and <= 3, $"late {late}: about 4 per decade, and 10^4..2·10^4 is 0.3 decade");
        Assert.IsTrue(schedule.IsDue(100) && schedule.IsDue(1000), "powers of ten are on the grid");
    }

    [TestMethod]
    public void AtAndNever()
    {
        Assert.IsTrue(Schedule.At(3, 7).IsDue(7));
        Assert.IsFalse(Schedule.At(3, 7).IsDue(5));
        Assert.IsFalse(Enumerable.Range(0, 100).Any(s => Schedule.Never.IsDue(s)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Schedule.Every(0));
    }

    [TestMethod]
    public void TiersTurnOnMoreInstruments()
    {
        Assert.IsFalse(MonitorOptions.ForTier(CostTier.Economy).HistogramSchedule.IsDue(0));
        Assert.IsTrue(MonitorOptions.ForTier(CostTier.Business).ActivationStatisticsSchedule.IsDue(50));
        Assert.IsTrue(MonitorOptions.ForTier(CostTier.Full).UpdateRatioSchedule.IsDue(3));
    }
}
