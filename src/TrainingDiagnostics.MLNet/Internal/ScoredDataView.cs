using Microsoft.ML;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// The lazily scored view a <see cref="TorchModuleTransformer"/> returns: nothing is computed until a cursor reads a score.
/// A cursor that reads a score column scores in batches (<see cref="BatchScoringCursor"/>); one that reads only input
/// columns passes the input through.
/// </summary>
internal sealed class ScoredDataView(IDataView source, TorchModuleTransformer owner) : IDataView
{
    public bool CanShuffle => source.CanShuffle;

    public DataViewSchema Schema { get; } = owner.GetOutputSchema(source.Schema);

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inputColumns, isActive, scores) = Needs(columnsNeeded);
        return Wrap(source.GetRowCursor(inputColumns, rand), isActive, scores);
    }

    /// <summary>The source's own cursor set (parallel cursors where it offers them), each scored in batches of its own.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inputColumns, isActive, scores) = Needs(columnsNeeded);
        return source.GetRowCursorSet(inputColumns, n, rand).Select(cursor => Wrap(cursor, isActive, scores)).ToArray();
    }

    private DataViewRowCursor Wrap(DataViewRowCursor input, Func<int, bool> isActive, bool scores) => scores
        ? new BatchScoringCursor(input, Schema, owner, isActive, source.GetRowCount())
        : new ScoringCursor(input, Schema, owner, isActive);

    /// <summary>The input columns to read (the requested ones, plus the features when a score is requested).</summary>
    private (List<DataViewSchema.Column> Input, Func<int, bool> IsActive, bool Scores) Needs(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        int inputCount = source.Schema.Count;
        bool scores = needed.Any(i => i >= inputCount);
        int features = source.Schema[owner.FeatureColumnName].Index;
        var input = source.Schema.Where(c => needed.Contains(c.Index) || (scores && c.Index == features)).ToList();
        return (input, needed.Contains, scores);
    }
}
