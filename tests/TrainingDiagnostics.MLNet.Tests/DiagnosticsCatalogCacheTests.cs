using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Tests;

/// <summary><c>mlContext.Diagnostics()</c>: one catalog per context, registered once.</summary>
[TestClass]
public sealed class DiagnosticsCatalogCacheTests
{
    [TestMethod]
    public void Diagnostics_returns_the_same_catalog_for_the_same_context_and_another_for_another_context()
    {
        var context = new MLContext(seed: 1);
        var other = new MLContext(seed: 1);

        var first = context.Diagnostics();

        Assert.AreSame(first, context.Diagnostics());
        Assert.AreSame(context, first.Context);
        Assert.AreNotSame(first, other.Diagnostics());
        Assert.AreSame(other, other.Diagnostics().Context);
    }

    [TestMethod]
    public void Diagnostics_called_from_many_threads_at_once_gives_every_caller_the_one_catalog_of_the_context()
    {
        var context = new MLContext(seed: 1);
        var catalogs = new DiagnosticsCatalog[16];
        using var start = new Barrier(catalogs.Length);

        Parallel.For(0, catalogs.Length, new ParallelOptions { MaxDegreeOfParallelism = catalogs.Length }, i =>
        {
            start.SignalAndWait();
            catalogs[i] = context.Diagnostics();
        });

        Assert.IsTrue(catalogs.All(c => ReferenceEquals(c, catalogs[0])), "every caller got the same catalog");
    }

    [TestMethod]
    public void A_cached_catalog_still_makes_stages_saved_in_its_context_load_in_it()
    {
        // The catalog is created (and the assembly registered) before anything else, then reused for the stage.
        var context = new MLContext(seed: 1);
        var catalog = context.Diagnostics();
        var data = context.Data.LoadFromEnumerable(new[] { new SaveLoadTests.DoubleRow { X = double.NaN }, new SaveLoadTests.DoubleRow { X = 2 } });
        var model = context.Diagnostics().FlagNonFinite("X").Fit(data);
        Assert.AreSame(catalog, context.Diagnostics());
        string path = Path.Combine(Path.GetTempPath(), $"tdiag-mlnet-{Guid.NewGuid():N}-cached.zip");
        context.Model.Save(model, data.Schema, path);

        var flags = context.Model.Load(path, out _).Transform(data).GetColumn<bool>("HasNonFinite").ToArray();

        CollectionAssert.AreEqual(new[] { true, false }, flags);
        File.Delete(path);
    }
}
