using System.Reflection;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// <see cref="RunLogKinds"/> is the one list of record kinds: every kind round-trips through the writer and reader by the
/// table alone, and <see cref="DiagnosticsRun"/> holds exactly one list per kind, so a kind added to one and not the
/// other fails here.
/// </summary>
[TestClass]
public sealed class RunLogKindsTests
{
    [TestMethod]
    public void Every_kind_in_the_table_round_trips_through_the_writer_and_reader_into_its_list()
    {
        IReadOnlyList<object> samples = RunLogGoldenTests.Records();
        var text = new StringWriter();
        using (var writer = new RunLogWriter(text, RunLogGoldenTests.Metadata(), leaveOpen: true))
        {
            foreach (object record in samples)
            {
                writer.WriteRecord(record);
            }
        }

        DiagnosticsRun run = RunLogReader.Read(new StringReader(text.ToString()));
        foreach (RunLogKind kind in RunLogKinds.All)
        {
            List<object> written = samples.Where(r => r.GetType() == kind.RecordType).ToList();
            Assert.IsTrue(written.Count > 0, $"the samples hold no {kind.Name} record: add one to RunLogGoldenTests.Records");
            Assert.AreSame(kind, RunLogKinds.Find(kind.Name));
            Assert.AreSame(kind, RunLogKinds.Of(kind.RecordType));
            StringAssert.Contains(text.ToString(), $"{{\"kind\":\"{kind.Name}\"", "the kind comes first on its line");
            IReadOnlyList<object> read = kind.RecordsOf(run);
            Assert.AreEqual(written.Count, read.Count, kind.Name);
            if (kind.RecordType != typeof(StepRecord))
            {
                CollectionAssert.AreEqual(written, read.ToList(), kind.Name);
            }
        }

        Assert.AreEqual(samples.Count, RunLogKinds.All.Sum(k => k.RecordsOf(run).Count), "every record read lands in its kind's list");
    }

    [TestMethod]
    public void A_run_has_one_list_per_kind_in_the_table_and_no_other()
    {
        Type[] lists = typeof(DiagnosticsRun).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0])
            .ToArray();
        CollectionAssert.AreEquivalent(lists, RunLogKinds.All.Select(k => k.RecordType).ToArray());
        Assert.AreEqual(RunLogKinds.All.Count, RunLogKinds.All.Select(k => k.Name).Distinct().Count());
    }

    [TestMethod]
    public void WithRecords_and_equality_go_through_every_kind()
    {
        var metadata = new RunMetadata { RunName = "r" };
        var empty = new DiagnosticsRun { Metadata = metadata };
        foreach (RunLogKind kind in RunLogKinds.All)
        {
            object sample = RunLogGoldenTests.Records().First(r => r.GetType() == kind.RecordType);
            DiagnosticsRun one = kind.WithRecords(empty, [sample]);
            Assert.AreEqual(1, kind.RecordsOf(one).Count);
            Assert.AreNotEqual(empty, one, $"equality sees the {kind.Name} list");
            Assert.AreEqual(one, kind.WithRecords(empty, [sample]));
        }
    }

    [TestMethod]
    public void Writing_a_type_no_line_holds_names_the_types_that_are_written()
    {
        using var writer = new RunLogWriter(new StringWriter(), new RunMetadata { RunName = "r" });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => writer.WriteRecord(new LayerStatistics { Name = "w" }));
        StringAssert.Contains(ex.Message, "LayerStatistics");
        StringAssert.Contains(ex.Message, "AnomalyEvent");
        Assert.AreEqual(0, writer.RecordCount);
    }
}
