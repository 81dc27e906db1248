using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Analysis;

/// <summary>A step's total gradient norm, as every part of the report reads it.</summary>
internal static class GradientNorm
{
    /// <summary>
    /// The L2 norm of all gradients together at <paramref name="step"/>: recorded, or the root of the sum of squares of its
    /// per-parameter norms in their order (null without either). Reads a step's columns without building a record per parameter.
    /// </summary>
    public static double? Total(StepRecord step)
    {
        if (step.GradientNorm is double total)
        {
            return total;
        }

        double sum = 0;
        bool any = false;
        if (step.Layers is ParameterColumns columns)
        {
            foreach (double? g in columns.GradientNorms)
            {
                if (g is double x)
                {
                    (sum, any) = (sum + (x * x), true);
                }
            }
        }
        else
        {
            foreach (LayerStatistics layer in step.Layers)
            {
                if (layer.GradientNorm is double x)
                {
                    (sum, any) = (sum + (x * x), true);
                }
            }
        }

        return any ? Math.Sqrt(sum) : null;
    }
}
