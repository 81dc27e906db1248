using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Report.Findings;

namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>
/// The silent-fault benchmark: trains each planted scenario, asks the report's rules whether they found it (detection), where
/// (placement), and follows the remedy they give, once or twice, retraining with the same seed (healing); trains the healthy
/// controls and counts their warnings. One libtorch thread (the models are tiny; extra threads only add noise).
/// </summary>
public static class SilentFaultBenchmark
{
    /// <summary>How many times a remedy is followed before a problem counts as not healed.</summary>
    public const int MaxRounds = 2;

    /// <summary>How close to the healthy reference a healed run's validation accuracy must end (absolute).</summary>
    public const double RecoveryTolerance = 0.05;

    /// <summary>Runs <paramref name="faults"/> and <paramref name="healthy"/>; <paramref name="log"/> gets one line per run.</summary>
    public static BenchmarkResult Run(IReadOnlyList<SilentFaultScenario> faults, IReadOnlyList<SilentFaultScenario> healthy, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentNullException.ThrowIfNull(healthy);
        int previous = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            var clock = Stopwatch.StartNew();
            var references = new Dictionary<(TrainingSetting, int), TrainingOutcome>();
            var faultResults = new List<ScenarioResult>();
            foreach (SilentFaultScenario scenario in faults)
            {
                ScenarioResult result = RunScenario(scenario, references);
                faultResults.Add(result);
                log?.Invoke($"{scenario.Name}: manifested {result.Manifested}, detected {result.Detected}, placed {Show(result.Placed)}, healed {Show(result.Healed)} ({result.Healing}); {result.Evidence}; {result.Elapsed.TotalSeconds:0.0} s");
            }

            var healthyResults = new List<HealthyResult>();
            foreach (SilentFaultScenario control in healthy)
            {
                TrainingOutcome outcome = Train(control, RemedySet.None);
                var warnings = outcome.Warnings.Select(f => $"{f.Rule}: {f.Title}").ToList();
                healthyResults.Add(new HealthyResult(control, warnings, outcome.FinalAccuracy, outcome.Elapsed));
                log?.Invoke($"{control.Name}: {warnings.Count} warning(s){(warnings.Count == 0 ? "" : ": " + string.Join("; ", warnings))}; accuracy {outcome.FinalAccuracy:0.000}; {outcome.Elapsed.TotalSeconds:0.0} s");
            }

            clock.Stop();
            return new BenchmarkResult(faultResults, healthyResults, clock.Elapsed, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    private static string Show(bool? value) => value is bool b ? b.ToString() : "n/a";

    /// <summary>
    /// Trains once more when libtorch fails inside the optimizer's step: seen once in some hundred runs here (a scalar that
    /// "overflows float" in SGD's update, at a different step on a rerun of the same seed: no property of the plant). The
    /// second try trains the same seed; a second failure propagates.
    /// </summary>
    private static TrainingOutcome Train(SilentFaultScenario scenario, RemedySet remedies, bool planted = true)
    {
        try
        {
            return ScenarioTraining.Run(scenario, remedies, planted);
        }
        catch (ExternalException ex)
        {
            Console.Error.WriteLine($"{scenario.Name}: libtorch failed ({ex.Message.Split('\n')[0]}); training it again");
            return ScenarioTraining.Run(scenario, remedies, planted);
        }
    }

    private static ScenarioResult RunScenario(SilentFaultScenario scenario, Dictionary<(TrainingSetting, int), TrainingOutcome> references)
    {
        var clock = Stopwatch.StartNew();
        TrainingOutcome faulty = Train(scenario, RemedySet.None);
        if (!references.TryGetValue((scenario.Setting, scenario.Seed), out TrainingOutcome? reference))
        {
            reference = Train(scenario, RemedySet.None, planted: false);
            references[(scenario.Setting, scenario.Seed)] = reference;
        }

        (bool manifested, string evidence) = Manifestation.Check(scenario.Problem, faulty, reference);
        IReadOnlyList<Finding> alarms = faulty.Alarms(scenario.Problem);
        (bool? healed, string healing, int rounds, double healedAccuracy) = alarms.Count == 0
            ? (SilentProblems.MustHeal.Contains(scenario.Problem) ? false : null, "not found", 0, double.NaN)
            : Heal(scenario, faulty, reference);
        clock.Stop();
        return new ScenarioResult
        {
            Scenario = scenario,
            Manifested = manifested,
            Evidence = evidence,
            Detected = alarms.Count > 0,
            Finding = alarms.FirstOrDefault(),
            Placed = Placed(scenario, faulty, alarms),
            Healed = healed,
            Healing = healing,
            Rounds = rounds,
            FaultyAccuracy = faulty.FinalAccuracy,
            HealedAccuracy = healedAccuracy,
            ReferenceAccuracy = reference.FinalAccuracy,
            OtherWarnings = faulty.Warnings.Where(f => f.Rule != scenario.Problem).Select(f => f.Rule).Distinct().ToList(),
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// Placement: for a module problem, some finding's <c>ModulePath</c> is an expected place or a parameter of one; for
    /// overfitting, some finding's <c>Step</c> is the step of the best validation loss; null for problems of the whole run.
    /// </summary>
    private static bool? Placed(SilentFaultScenario scenario, TrainingOutcome faulty, IReadOnlyList<Finding> alarms)
    {
        switch (SilentProblems.Placement(scenario.Problem))
        {
            case "module":
                return alarms.Any(f => f.ModulePath is { } path
                    && scenario.ExpectedPlaces.Any(place => path == place || path.StartsWith(place + ".", StringComparison.Ordinal)));
            case "step":
                long best = faulty.EvaluationSteps[Array.IndexOf(faulty.ValidationLoss, faulty.ValidationLoss.Min())];
                return alarms.Any(f => f.Step == best);
            default:
                return null;
        }
    }

    /// <summary>
    /// Follows the remedies of the problem's findings, up to <see cref="MaxRounds"/> retrainings with the same seed. Healed:
    /// the problem's finding is gone and the validation metric recovered (accuracy within <see cref="RecoveryTolerance"/> of
    /// the healthy reference; for overfitting, the validation loss back at its best).
    /// </summary>
    private static (bool? Healed, string Healing, int Rounds, double Accuracy) Heal(SilentFaultScenario scenario, TrainingOutcome faulty, TrainingOutcome reference)
    {
        RemedySet remedies = RemedySet.None;
        TrainingOutcome outcome = faulty;
        var refusals = new List<string>();
        int rounds = 0;
        while (rounds < MaxRounds && outcome.Alarms(scenario.Problem) is { Count: > 0 } alarms)
        {
            RemedySet next = remedies;
            foreach (Finding finding in alarms)
            {
                next = next.With(finding, out string? refusal) ?? next;
                if (refusal is not null)
                {
                    refusals.Add(refusal);
                }
            }

            if (ReferenceEquals(next, remedies))
            {
                break;
            }

            remedies = next;
            outcome = Train(scenario, remedies);
            rounds++;
        }

        if (rounds == 0)
        {
            string why = refusals.Count == 0 ? "no remedy" : string.Join("; ", refusals.Distinct());
            return (SilentProblems.MustHeal.Contains(scenario.Problem) ? false : null, why, 0, double.NaN);
        }

        bool gone = outcome.Alarms(scenario.Problem).Count == 0;
        bool recovered = scenario.Problem == SilentProblems.Overfitting
            ? outcome.FinalValidationLoss <= 1.02 * faulty.ValidationLoss.Min()
            : outcome.FinalAccuracy >= reference.FinalAccuracy - RecoveryTolerance;
        string unresolved = outcome.Unresolved.Count == 0 ? "" : $" (targets not in the model: {string.Join(", ", outcome.Unresolved)})";
        return (gone && recovered, remedies.Describe() + unresolved, rounds, outcome.FinalAccuracy);
    }
}
