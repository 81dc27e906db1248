using TorchSharp;

namespace TrainingDiagnostics.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void LibTorchLoads()
    {
        using var t = torch.ones(3);
        Assert.AreEqual(3.0, t.sum().item<float>(), 1e-6);
    }
}
