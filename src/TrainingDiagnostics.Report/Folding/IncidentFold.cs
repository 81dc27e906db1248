using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.View;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Folds the incidents into a bounded digest: the first <c>maxDetails</c> in full, one group per (kind, phase, module,
/// operation) with its earliest event and count (for the findings), per (kind, module) counts of the rest, and up to
/// <see cref="MaxMarkedSteps"/> distinct steps to mark on the charts.
/// </summary>
internal sealed class IncidentFold(int maxDetails) : IRunFold
{
    /// <summary>The most distinct incident steps marked on the charts and kept exactly by the downsampler.</summary>
    public const int MaxMarkedSteps = 10_000;

    private readonly List<AnomalyEvent> _detailed = [];
    private readonly Dictionary<(AnomalyKind, AnomalyPhase, string?, string?), int> _groupIndex = [];
    private readonly List<(AnomalyEvent First, long Count)> _groups = [];
    private readonly Dictionary<(AnomalyKind, string?), int> _restIndex = [];
    private readonly List<(AnomalyKind Kind, string? ModulePath, long Count, long FirstStep, long LastStep)> _rest = [];
    private readonly HashSet<long> _steps = [];
    private long _count;
    private bool _anyCritical;

    public void Anomaly(AnomalyEvent anomaly)
    {
        _count++;
        _anyCritical |= AnomalyKinds.SeverityOf(anomaly) == AnomalySeverity.Critical;
        if (_steps.Count < MaxMarkedSteps)
        {
            _steps.Add(anomaly.Step);
        }

        var key = (anomaly.Kind, anomaly.Phase, anomaly.ModulePath, anomaly.Operation);
        if (_groupIndex.TryGetValue(key, out int g))
        {
            (AnomalyEvent first, long count) = _groups[g];
            _groups[g] = (anomaly.Step < first.Step ? anomaly : first, count + 1);
        }
        else
        {
            _groupIndex.Add(key, _groups.Count);
            _groups.Add((anomaly, 1));
        }

        if (_detailed.Count < maxDetails)
        {
            _detailed.Add(anomaly);
            return;
        }

        var restKey = (anomaly.Kind, anomaly.ModulePath);
        if (_restIndex.TryGetValue(restKey, out int r))
        {
            var rest = _rest[r];
            _rest[r] = (rest.Kind, rest.ModulePath, rest.Count + 1, Math.Min(rest.FirstStep, anomaly.Step), Math.Max(rest.LastStep, anomaly.Step));
        }
        else
        {
            _restIndex.Add(restKey, _rest.Count);
            _rest.Add((anomaly.Kind, anomaly.ModulePath, 1, anomaly.Step, anomaly.Step));
        }
    }

    public IncidentsView Finish() => new()
    {
        Count = _count,
        Detailed = _detailed,
        Groups = _groups,
        Rest = _rest,
        Steps = _steps.Order().ToList(),
        AnyCritical = _anyCritical,
    };
}
