using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Reads the per-iteration values ML.NET's closed trainers report (SDCA's losses and duality gap, L-BFGS's loss and
/// improvement, SGD, factorization machines, k-means...). They never reach <see cref="MLContext.Log"/>: trainers push them
/// as checkpoints into the context's progress channel, whose tracker only ML.NET's own command line reads, and ML.NET has
/// no public way to read it (dotnet/machinelearning #3358, #3752, #7124). This tap reads it by reflection
/// (<c>MLContext._env.ProgressTracker.GetAllProgress()</c>, ML.NET 5), the one place in this library that does: when the
/// members are not there (another ML.NET), <see cref="Of"/> returns null and <see cref="ObservedEstimator{TTransformer}"/>
/// keeps the log lines alone, as before.
/// </summary>
/// <remarks>
/// One tap per context; ML.NET's tracker must be read from one thread at a time, so every <see cref="Poll"/> holds the
/// tap's lock, and each poll hands every checkpoint it drained to every subscriber (as <see cref="MLContext.Log"/> does,
/// fits running at the same time in one context see each other's checkpoints). Draining also empties ML.NET's queue of
/// progress events, which nothing else drains in an <see cref="MLContext"/>. A poll that fails turns the tap off for the
/// context's lifetime: progress is a diagnostic and must never break a fit.
/// </remarks>
internal sealed partial class TrainerProgressTap
{
    private static readonly ConditionalWeakTable<MLContext, TrainerProgressTap> Taps = new();
    private static readonly FieldInfo? EnvironmentField = typeof(MLContext).GetField("_env", BindingFlags.NonPublic | BindingFlags.Instance);

    private readonly object _tracker;
    private readonly MethodInfo _getAllProgress;
    private readonly Lock _gate = new();
    private readonly List<Action<TrainerCheckpoint>> _subscribers = [];
    private EventReader? _events;
    private bool _broken;

    private TrainerProgressTap(object tracker, MethodInfo getAllProgress)
    {
        _tracker = tracker;
        _getAllProgress = getAllProgress;
    }

    /// <summary>The tap of <paramref name="context"/>, or null when this ML.NET does not have the members it reads.</summary>
    public static TrainerProgressTap? Of(MLContext context)
    {
        if (Taps.TryGetValue(context, out var tap))
        {
            return tap._broken ? null : tap;
        }

        try
        {
            object? environment = EnvironmentField?.GetValue(context);
            FieldInfo? trackerField = null;
            for (Type? type = environment?.GetType(); type is not null && trackerField is null; type = type.BaseType)
            {
                trackerField = type.GetField("ProgressTracker", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly);
            }

            object? tracker = trackerField?.GetValue(environment);
            MethodInfo? getAll = tracker?.GetType().GetMethod("GetAllProgress", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            if (tracker is null || getAll is null || !typeof(IList).IsAssignableFrom(getAll.ReturnType))
            {
                return null;
            }

            return Taps.GetValue(context, _ => new TrainerProgressTap(tracker, getAll));
        }
        catch (Exception ex) when (ex is MemberAccessException or TargetException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Hands every checkpoint reported from now on to <paramref name="onCheckpoint"/> (on the polling thread) until the
    /// returned handle is disposed; disposing polls once more first, so that nothing reported before it is lost.
    /// </summary>
    public IDisposable Subscribe(Action<TrainerCheckpoint> onCheckpoint)
    {
        lock (_gate)
        {
            Drain(); // what is queued from before belongs to the subscribers already there, not to the new one
            _subscribers.Add(onCheckpoint);
        }

        return new Subscription(this, onCheckpoint);
    }

    /// <summary>Drains the checkpoints reported since the last poll and hands them to the subscribers.</summary>
    public void Poll()
    {
        lock (_gate)
        {
            Drain();
        }
    }

    private void Unsubscribe(Action<TrainerCheckpoint> onCheckpoint)
    {
        lock (_gate)
        {
            Drain();
            _subscribers.Remove(onCheckpoint);
        }
    }

    private void Drain()
    {
        if (_broken)
        {
            return;
        }

        List<TrainerCheckpoint> checkpoints;
        try
        {
            var events = (IList)_getAllProgress.Invoke(_tracker, null)!;
            checkpoints = new List<TrainerCheckpoint>(events.Count);
            foreach (object? progressEvent in events)
            {
                if (progressEvent is not null)
                {
                    _events ??= new EventReader(progressEvent.GetType());
                    if (_events.Read(progressEvent) is { } checkpoint)
                    {
                        checkpoints.Add(checkpoint);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is TargetInvocationException or MemberAccessException or InvalidCastException or NullReferenceException or ArgumentException)
        {
            _broken = true;
            return;
        }

        foreach (TrainerCheckpoint checkpoint in checkpoints)
        {
            foreach (Action<TrainerCheckpoint> subscriber in _subscribers)
            {
                subscriber(checkpoint);
            }
        }
    }

    /// <summary>Reads the fields of ML.NET's internal <c>ProgressEvent</c> and <c>ProgressEntry</c> (found once per type).</summary>
    private sealed class EventReader(Type eventType)
    {
        private readonly FieldInfo _index = Field(eventType, "Index");
        private readonly FieldInfo _name = Field(eventType, "Name");
        private readonly FieldInfo _entry = Field(eventType, "ProgressEntry");
        private FieldInfo? _header, _isCheckpoint, _metrics, _progress;

        /// <summary>The checkpoint an event carries, or null for start, stop and pulled (not pushed) progress events.</summary>
        public TrainerCheckpoint? Read(object progressEvent)
        {
            object? entry = _entry.GetValue(progressEvent);
            if (entry is null)
            {
                return null;
            }

            Type entryType = entry.GetType();
            _header ??= Field(entryType, "Header");
            _isCheckpoint ??= Field(entryType, "IsCheckpoint");
            _metrics ??= Field(entryType, "Metrics");
            _progress ??= Field(entryType, "Progress");
            if (!(bool)_isCheckpoint.GetValue(entry)! || _header.GetValue(entry) is not ProgressHeader header)
            {
                return null;
            }

            return new TrainerCheckpoint(
                (int)_index.GetValue(progressEvent)!,
                BaseName((string)_name.GetValue(progressEvent)!),
                header.MetricNames,
                header.UnitNames,
                (double?[])_metrics.GetValue(entry)!,
                (double?[])_progress.GetValue(entry)!);
        }

        private static FieldInfo Field(Type type, string name) =>
            type.GetField(name, BindingFlags.Public | BindingFlags.Instance) ?? throw new ArgumentException($"ML.NET's {type.Name} has no field {name}.");
    }

    /// <summary>ML.NET names the second calculation of a name <c>NAME #2</c>, and k-means starts one with a space.</summary>
    internal static string BaseName(string name) => NumberSuffix().Replace(name.Trim(), "");

    [GeneratedRegex(@"\s+#\d+$")]
    private static partial Regex NumberSuffix();

    private sealed class Subscription(TrainerProgressTap tap, Action<TrainerCheckpoint> onCheckpoint) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tap.Unsubscribe(onCheckpoint);
            }
        }
    }
}
