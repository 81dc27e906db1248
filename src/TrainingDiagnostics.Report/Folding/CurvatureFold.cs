using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds curvature records into the <see cref="CurvatureView"/>: one point per measured step (its top eigenvalue and trace
/// joined), with the learning rate of the step record seen last (the log writes a step's curvature after its step line).
/// Memory stays bounded: beyond <see cref="MaxPoints"/> measured steps every other one is dropped, while the threshold
/// counts cover every step.
/// </summary>
internal sealed class CurvatureFold : IRunFold
{
    /// <summary>The most points kept for the chart and the table.</summary>
    public const int MaxPoints = 1000;

    private readonly List<CurvaturePoint> _points = [];
    private CurvaturePoint? _open;
    private double? _learningRate;
    private long _stride = 1;
    private int _measured, _withThreshold, _above;
    private CurvaturePoint? _firstAbove;
    private double? _largestRatio;

    public void Step(StepRecord step, int[] rows, long index)
    {
        if (step.LearningRate is double lr)
            _learningRate = lr;
    }

    public void Record(object record)
    {
        if (record is not CurvatureRecord c)
            return;
        if (_open is not null && _open.Step != c.Step)
            Close();
        _open ??= new CurvaturePoint(c.Step, null, null, null, null, _learningRate, 0);
        _open = c.Quantity switch
        {
            CurvatureQuantity.TopEigenvalue => _open with { TopEigenvalue = c.Value, Residual = c.Residual, MatVecs = _open.MatVecs + c.MatVecs },
            CurvatureQuantity.Trace => _open with { Trace = c.Value, TraceStandardError = c.StandardError, MatVecs = _open.MatVecs + c.MatVecs },
            _ => _open, // a quantity from a newer version: not shown
        };
    }

    public CurvatureView Finish()
    {
        if (_open is not null)
            Close();
        if (_measured == 0)
            return CurvatureView.Empty;
        return new CurvatureView
        {
            Points = _points.OrderBy(p => p.Step).ToList(),
            MeasuredSteps = _measured,
            StepsWithThreshold = _withThreshold,
            FirstAboveThreshold = _firstAbove,
            StepsAboveThreshold = _above,
            LargestRatio = _largestRatio,
        };
    }

    private void Close()
    {
        var point = _open!;
        _open = null;
        _measured++;
        if (point.StabilityThreshold is double threshold && point.TopEigenvalue is double top && double.IsFinite(top))
        {
            _withThreshold++;
            double ratio = top / threshold;
            _largestRatio = _largestRatio is double r ? Math.Max(r, ratio) : ratio;
            if (top > threshold)
            {
                _above++;
                if (_firstAbove is null || point.Step < _firstAbove.Step)
                    _firstAbove = point;
            }
        }

        if ((_measured - 1) % _stride != 0)
            return;
        _points.Add(point);
        if (_points.Count > MaxPoints)
        {
            _stride *= 2;
            var kept = _points.Where((_, i) => i % 2 == 0).ToList();
            _points.Clear();
            _points.AddRange(kept);
        }
    }
}
