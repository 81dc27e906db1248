using System.Runtime.CompilerServices;
using Microsoft.ML;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// The data profiles and observed fits recorded in one <see cref="MLContext"/>, so that a later
/// <see cref="TorchModuleTrainer"/> fit in the same context carries them into its run and run log.
/// </summary>
internal sealed class PipelineRecords
{
    private static readonly ConditionalWeakTable<MLContext, PipelineRecords> Table = new();
    private readonly Lock _gate = new();
    private readonly List<DataProfileRecord> _profiles = [];
    private readonly List<ObservedFitRecord> _fits = [];

    public static PipelineRecords Of(MLContext context) => Table.GetValue(context, _ => new PipelineRecords());

    public void Add(DataProfileRecord profile)
    {
        lock (_gate)
        {
            _profiles.Add(profile);
        }
    }

    public void Add(ObservedFitRecord fit)
    {
        lock (_gate)
        {
            _fits.Add(fit);
        }
    }

    public (DataProfileRecord[] Profiles, ObservedFitRecord[] Fits) Snapshot()
    {
        lock (_gate)
        {
            return (_profiles.ToArray(), _fits.ToArray());
        }
    }
}
