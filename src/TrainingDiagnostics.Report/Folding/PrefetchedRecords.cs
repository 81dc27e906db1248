using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// Reads a log's records on a second thread while the caller folds them: parsing (most of a report's time) and folding
/// run on two cores. Records come in log order, in batches of <see cref="BatchSize"/>, at most <see cref="Ahead"/>
/// batches ahead of the fold: few enough that the records still die young (a step holds a few kilobytes of columns, a
/// version-1 step read by the general reader an object per parameter; a deeper queue let them reach the older generations
/// and doubled the collector's work). A damaged log raises its
/// <see cref="InvalidDataException"/> on the folding thread, after the records before the damage.
/// </summary>
internal sealed class PrefetchedRecords : IDisposable
{
    /// <summary>Records per hand-over.</summary>
    public const int BatchSize = 32;

    /// <summary>Batches read ahead at most.</summary>
    public const int Ahead = 2;

    private readonly RunLogCursor _cursor;
    private readonly BlockingCollection<ArraySegment<object>> _ready = new(Ahead);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _failure;

    public PrefetchedRecords(RunLogCursor cursor)
    {
        _cursor = cursor;
        _thread = new Thread(Read) { IsBackground = true, Name = "TrainingDiagnostics report parser" };
        _thread.Start();
    }

    /// <summary>Whether a second thread is worth it here: more than one processor.</summary>
    public static bool Useful => Environment.ProcessorCount > 1;

    /// <summary>The batches, in log order; after the last, the cursor's end state (completeness, skipped count) is final.</summary>
    /// <exception cref="InvalidDataException">The log is damaged before its last line (after the batches before the damage).</exception>
    public IEnumerable<ArraySegment<object>> Batches()
    {
        foreach (ArraySegment<object> batch in _ready.GetConsumingEnumerable())
        {
            yield return batch;
        }

        _thread.Join();
        _failure?.Throw();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _ready.Dispose();
    }

    private void Read()
    {
        try
        {
            var batch = new object[BatchSize];
            int count = 0;
            while (_cursor.MoveNext())
            {
                batch[count++] = _cursor.Current;
                if (count == BatchSize)
                {
                    _ready.Add(batch, _stop.Token);
                    (batch, count) = (new object[BatchSize], 0);
                }
            }

            if (count > 0)
            {
                _ready.Add(new ArraySegment<object>(batch, 0, count), _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // the fold stopped first (it failed): nothing is waiting for the rest
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }
}
