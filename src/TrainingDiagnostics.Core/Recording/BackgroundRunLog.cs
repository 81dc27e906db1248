using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Recording;

/// <summary>
/// Writes a monitored run's log off the training thread. The training thread only queues its records (tens of
/// nanoseconds, no system call); a dedicated thread wakes every <see cref="Interval"/>, formats the queued records and
/// appends them through a <see cref="RunLogWriter"/>, which flushes each line. A crash therefore loses at most the
/// records of the last interval and the line in flight, never an older step.
/// </summary>
/// <remarks>
/// The queue is drained by <see cref="Dispose"/> and, for a monitor never disposed, when the process exits normally. A
/// write error (a full disk, a deleted folder) never escapes on the writing thread, where it would end the process: it
/// is rethrown on the training thread at the next record, or by <see cref="Dispose"/>.
/// </remarks>
internal sealed class BackgroundRunLog : IDisposable
{
    /// <summary>How long a queued record waits at most before it is written (plus the time to write what is queued).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly RunLogWriter _writer;
    private readonly ConcurrentQueue<object> _queue = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private volatile ExceptionDispatchInfo? _failure;
    private bool _failureReported;
    private int _disposed;

    public BackgroundRunLog(RunLogWriter writer)
    {
        _writer = writer;
        _thread = new Thread(Run) { IsBackground = true, Name = "TrainingDiagnostics run log" };
        _thread.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Queues a record of any kind in <see cref="RunLogKinds.All"/> to be written in order.</summary>
    /// <exception cref="IOException">An earlier record could not be written (rethrown as it was raised).</exception>
    public void Enqueue(object record)
    {
        ThrowIfFailed();
        _queue.Enqueue(record);
    }

    /// <summary>Writes everything queued, stops the writing thread and closes the log.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        try
        {
            _writer.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
        }
        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure && !_failureReported)
        {
            _failureReported = true;
            failure.Throw();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private void Run()
    {
        while (!_stop.Wait(Interval))
            Drain();
        Drain();
    }

    private void Drain()
    {
        while (_queue.TryDequeue(out var record))
        {
            if (_failure is not null)
                continue; // the log is broken: the error is reported once, the records are dropped
            try
            {
                _writer.WriteRecord(record); // any kind in RunLogKinds
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
        }
    }
}
