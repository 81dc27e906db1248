using TorchSharp;

namespace TrainingDiagnostics.TestSupport;

/// <summary>
/// Counts the tensors created and not disposed on this thread between its construction and <see cref="AssertLive"/>,
/// from TorchSharp's <see cref="DisposeScopeManager.Statistics"/>.
/// </summary>
/// <example>
/// <code>
/// var guard = new TensorLeakGuard();
/// using (var scope = torch.NewDisposeScope()) { var g = Autodiff.Grad(f, x); }
/// guard.AssertLive(0); // everything the call created was disposed or handed to the scope
/// </code>
/// </example>
public sealed class TensorLeakGuard
{
    private readonly long _liveAtStart = LiveTensors;

    /// <summary>Tensors alive on this thread now (created minus disposed, in and outside scopes).</summary>
    public static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>Tensors created since construction and still alive.</summary>
    public long NewLive => LiveTensors - _liveAtStart;

    /// <summary>Asserts that exactly <paramref name="expected"/> tensors created since construction are still alive.</summary>
    public void AssertLive(long expected, string? what = null)
    {
        Assert.AreEqual(expected, NewLive,
            $"{what ?? "the operation"} left {NewLive} tensor(s) alive, expected {expected}. Statistics: {DisposeScopeManager.Statistics}");
    }
}
