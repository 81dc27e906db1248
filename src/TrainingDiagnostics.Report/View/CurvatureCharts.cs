namespace TrainingDiagnostics.Report.View;

/// <summary>
/// The Curvature section's series and table, picked from the <see cref="CurvatureView"/>'s points: the sharpness with its
/// residual, the threshold 2/lr at the steps whose sharpness was measured, the trace with its standard error, and the
/// table's rows (the first and last <see cref="MaxRows"/>/2 when there are more).
/// </summary>
/// <param name="Sharpness">The measured top eigenvalues, with their residuals.</param>
/// <param name="Threshold">2/lr at the steps whose top eigenvalue was measured and whose learning rate is known.</param>
/// <param name="Trace">The measured traces, with their standard errors.</param>
/// <param name="Rows">The table's rows.</param>
/// <param name="HiddenRows">How many points the table leaves out between its first and last rows.</param>
internal sealed record CurvatureCharts(
    IReadOnlyList<(long Step, double Value, double? Error)> Sharpness,
    IReadOnlyList<(long Step, double Value)> Threshold,
    IReadOnlyList<(long Step, double Value, double? Error)> Trace,
    IReadOnlyList<CurvaturePoint> Rows,
    int HiddenRows)
{
    /// <summary>Rows of the table (the charts show every kept point; the table the first ones and the last).</summary>
    public const int MaxRows = 60;

    /// <summary>The charts and table of <paramref name="view"/>.</summary>
    public static CurvatureCharts Of(CurvatureView view)
    {
        var points = view.Points;
        return new CurvatureCharts(
            points.Where(p => p.TopEigenvalue is not null).Select(p => (p.Step, p.TopEigenvalue!.Value, p.Residual)).ToList(),
            points.Where(p => p.TopEigenvalue is not null && p.StabilityThreshold is not null).Select(p => (p.Step, p.StabilityThreshold!.Value)).ToList(),
            points.Where(p => p.Trace is not null).Select(p => (p.Step, p.Trace!.Value, p.TraceStandardError)).ToList(),
            points.Count <= MaxRows ? points : points.Take(MaxRows / 2).Concat(points.Skip(points.Count - (MaxRows / 2))).ToList(),
            Math.Max(0, points.Count - MaxRows));
    }
}
