using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>Keeps the records of an ML.NET pipeline whole: a few per run (one profile per profiled data set, one record per observed stage).</summary>
internal sealed class PipelineRecordsFold : IRunFold
{
    private readonly List<DataProfileRecord> _profiles = [];
    private readonly List<ObservedFitRecord> _fits = [];

    public IReadOnlyList<DataProfileRecord> DataProfiles => _profiles;

    public IReadOnlyList<ObservedFitRecord> ObservedFits => _fits;

    public void Record(object record)
    {
        switch (record)
        {
            case DataProfileRecord profile:
                _profiles.Add(profile);
                break;
            case ObservedFitRecord fit:
                _fits.Add(fit);
                break;
        }
    }
}
