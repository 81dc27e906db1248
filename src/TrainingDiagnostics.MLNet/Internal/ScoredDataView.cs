using Microsoft.ML;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>The lazily scored view a <see cref="TorchModuleTransformer"/> returns: nothing is computed until a cursor reads a score.</summary>
internal sealed class ScoredDataView(IDataView source, TorchModuleTransformer owner) : IDataView
{
    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema { get; } = owner.GetOutputSchema(source.Schema);

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        int inputCount = source.Schema.Count;
        bool scores = needed.Any(i => i >= inputCount);
        var inputColumns = source.Schema.Where(c => needed.Contains(c.Index) || (scores && c.Name == owner.FeatureColumnName && c.Index == source.Schema[owner.FeatureColumnName].Index));
        return new ScoringCursor(source.GetRowCursor(inputColumns, rand), Schema, owner, needed.Contains);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
