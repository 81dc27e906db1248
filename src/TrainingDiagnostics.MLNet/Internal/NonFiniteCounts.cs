using System.Numerics;
using Microsoft.ML.Data;
using TrainingDiagnostics.MLNet.Mapping;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>The one body of the FlagNonFinite mappings, in the column's own precision (a finite double above float's range stays finite).</summary>
internal static class NonFiniteCounts
{
    public static void Fill<T>(in VBuffer<T> values, NonFiniteOutput output)
        where T : IFloatingPointIeee754<T>
    {
        // Only the explicit values: a sparse vector's implicit entries are zeros, which are finite.
        int count = 0;
        foreach (T v in values.GetValues())
        {
            count += T.IsFinite(v) ? 0 : 1;
        }

        output.NonFiniteCount = count;
        output.HasNonFinite = count > 0;
    }
}
