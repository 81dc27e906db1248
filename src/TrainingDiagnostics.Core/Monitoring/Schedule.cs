namespace TrainingDiagnostics.Monitoring;

/// <summary>When an optional instrument runs: every n steps, on a logarithmic grid, at given steps, or never.</summary>
/// <remarks>Schedules bound the cost of instruments that are too expensive for every step (as Cockpit's do). A schedule is
/// immutable and holds no state: whether it fires depends on the step alone, so one instance may serve several instruments
/// and monitors.</remarks>
public abstract class Schedule
{
    private protected Schedule()
    {
    }

    /// <summary>A schedule that never fires.</summary>
    public static Schedule Never { get; } = new AtSchedule(Array.Empty<long>());

    /// <summary>Fires at steps 0, n, 2n, ...</summary>
    /// <param name="n">The period, at least 1.</param>
    public static Schedule Every(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return new EverySchedule(n);
    }

    /// <summary>Fires on a logarithmic grid: about <paramref name="perDecade"/> steps per decade (0, 1, 2, ... 10, 13, 16, 20, 25, ...), dense early and sparse late.</summary>
    /// <param name="perDecade">How many firings per factor of ten, at least 1.</param>
    public static Schedule Logarithmic(int perDecade = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perDecade, 1);
        return new LogSchedule(perDecade);
    }

    /// <summary>Fires exactly at the given steps.</summary>
    /// <param name="steps">The steps.</param>
    public static Schedule At(params long[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        return new AtSchedule(steps);
    }

    /// <summary>The default schedule of an instrument of a cost tier: every 10 steps for <see cref="CostTier.Economy"/> (as
    /// the weight norms and update ratios), every 50 for <see cref="CostTier.Business"/> (as the BatchNorm variances of that
    /// tier), every step for <see cref="CostTier.Full"/>.</summary>
    /// <param name="tier">The instrument's tier.</param>
    public static Schedule ForTier(CostTier tier) => tier switch
    {
        CostTier.Economy => Every(10),
        CostTier.Business => Every(50),
        CostTier.Full => Every(1),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Expected Economy, Business or Full."),
    };

    /// <summary>Whether the instrument runs at <paramref name="step"/>.</summary>
    /// <param name="step">The training step (0-based).</param>
    public abstract bool IsDue(long step);

    private sealed class EverySchedule(long n) : Schedule
    {
        public override bool IsDue(long step) => step >= 0 && step % n == 0;

        public override string ToString() => $"every {n} steps";
    }

    private sealed class LogSchedule(int perDecade) : Schedule
    {
        public override bool IsDue(long step)
        {
            if (step < 0)
                return false;
            if (step <= perDecade)
                return true;
            // Fire when the grid point floor(10^(k/perDecade)) equals this step for some k.
            double k = Math.Ceiling(Math.Log10(step) * perDecade - 1e-9);
            for (double j = k - 1; j <= k + 1; j++)
                if ((long)Math.Floor(Math.Pow(10, j / perDecade) + 1e-9) == step)
                    return true;
            return false;
        }

        public override string ToString() => $"logarithmic, {perDecade} per decade";
    }

    private sealed class AtSchedule(long[] steps) : Schedule
    {
        private readonly HashSet<long> _steps = [.. steps];

        public override bool IsDue(long step) => _steps.Contains(step);

        public override string ToString() => _steps.Count == 0 ? "never" : $"at {_steps.Count} steps";
    }
}
