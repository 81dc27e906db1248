namespace TrainingDiagnostics.Model.Tests;

/// <summary>The shared input-scale rule: each of its three tests fires on its own kind of data and stays quiet on scaled data.</summary>
[TestClass]
public sealed class InputScaleJudgeTests
{
    private static ColumnProfile Column(string name, double mean, double std, double min, double max) =>
        new() { Name = name, Count = 100, Mean = mean, StandardDeviation = std, Min = min, Max = max, IsConstant = min == max };

    private static readonly ColumnProfile[] Standardized =
    [
        Column("a", 0.01, 1.0, -2.9, 3.1),
        Column("b", -0.02, 0.99, -2.2, 9.5), // a heavy right tail: one outlier at 9.5 standard deviations
        Column("c", 0.0, 1.01, -3.4, 2.8),
    ];

    [TestMethod]
    public void StandardizedFeaturesMakeNoFinding() => Assert.IsNull(InputScaleJudge.Judge(Standardized, ""));

    [TestMethod]
    public void FeaturesInZeroToOneMakeNoFindingEvenWhenSparseNearlyConstantOrConstant()
    {
        ColumnProfile[] pixels =
        [
            Column("dense", 0.45, 0.3, 0, 1),
            Column("faint", 0.00002, 0.0003, 0, 0.004), // inked once, faintly: its extent is 250 times smaller
            Column("flag", 0.99, 0.0995, 0, 1),         // almost always set: 9.9 standard deviations from zero, but within [0, 1]
            Column("blank", 0, 0, 0, 0),
        ];
        Assert.IsNull(InputScaleJudge.Judge(pixels, ""));
        Assert.AreEqual(250, InputScaleJudge.ScaleSpread(pixels), 1e-9, "the spread is measured; the test needs values beyond [-1, 1]");
    }

    [TestMethod]
    public void ScalesThatSpanOrdersOfMagnitudeMakeTheSpreadFinding()
    {
        ColumnProfile[] columns = [Column("small", 0, 0.2, -0.5, 0.5), Column("large", 0, 30, -80, 90)];
        var finding = InputScaleJudge.Judge(columns, "ADVICE")!;
        Assert.AreEqual(InputScaleJudge.Rule, finding.Rule);
        Assert.AreEqual("unnormalized-input", finding.Rule);
        Assert.AreEqual(AnomalySeverity.Warning, finding.Severity);
        StringAssert.StartsWith(finding.Title, "Feature scales differ by a factor of 180: 'small' reaches about 0.5, 'large' about 90");
        StringAssert.EndsWith(finding.Detail, "ADVICE");
        Assert.AreEqual(180, InputScaleJudge.ScaleSpread(columns), 1e-12);
    }

    [TestMethod]
    public void FeaturesFarBeyondUnitScaleMakeTheMagnitudeFinding()
    {
        // Raw intensities 0-255: all of one scale (no spread), centred at half their range (no offset), but 100 times too large.
        ColumnProfile[] columns = [Column("red", 120, 70, 0, 255), Column("green", 110, 75, 0, 255), Column("blue", 100, 80, 0, 255)];
        var finding = InputScaleJudge.Judge(columns, "")!;
        StringAssert.StartsWith(finding.Title, "3 features have a typical magnitude (root mean square) above 10, up to 139 for 'red'");
    }

    [TestMethod]
    public void AFeatureSittingFarFromZeroMakesTheOffsetFinding()
    {
        // Rooms per dwelling (6.3 +- 0.7) beside standardized features: of unit order, but 9 standard deviations from zero.
        ColumnProfile[] columns = [.. Standardized, Column("rooms", 6.3, 0.7, 3.6, 8.8)];
        var finding = InputScaleJudge.Judge(columns, "")!;
        StringAssert.StartsWith(finding.Title, "One feature has a mean far from zero: 'rooms' sits at 6.3 ± 0.7, 9 standard deviations from zero");
    }

    [TestMethod]
    public void TheTitleIsTheSameInEveryCulture()
    {
        ColumnProfile[] columns = [Column("small", 0, 0.2, -0.5, 0.5), Column("large", 0, 3000, -8000, 9000.5)];
        string invariant = InputScaleJudge.Judge(columns, "")!.Title;
        using var german = new CultureScope("de-DE");
        Assert.AreEqual(invariant, InputScaleJudge.Judge(columns, "")!.Title);
        StringAssert.Contains(invariant, "1.8E+04");
    }
}
