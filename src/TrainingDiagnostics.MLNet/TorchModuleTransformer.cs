using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.Model;
using static TorchSharp.torch;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// A trained TorchSharp module as an ML.NET transformer. It adds ML.NET's usual output columns for its task, so that
/// <c>mlContext.BinaryClassification.Evaluate</c>, <c>MulticlassClassification.Evaluate</c> and <c>Regression.Evaluate</c>
/// read them: binary: <c>Score</c> (the logit), <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c> (Boolean, logit
/// &gt; 0); multiclass: <c>Score</c> (a vector of class probabilities, softmax of the logits) and <c>PredictedLabel</c> (a key
/// with the training label's count and key values); regression: <c>Score</c>. Scoring is lazy: a cursor that reads a score
/// column runs one forward pass (eval mode, no gradients) per <see cref="ScoringBatchSize"/> rows and serves the rows from it;
/// a prediction engine scores one row per forward pass.
/// </summary>
/// <remarks>
/// <para><b>Saving.</b> <c>mlContext.Model.Save</c> cannot hold a TorchSharp module: ML.NET 5 lets a third party into its
/// model files only through CustomMapping, which persists a name and no state. Saving a pipeline that contains this
/// transformer therefore throws an <see cref="InvalidOperationException"/> that points here. Save the module with
/// <see cref="SaveModule"/>, load it with <see cref="Load"/>, and save the rest of the pipeline (which may be savable) on its own.</para>
/// <para><b>Batches and rounding.</b> A batch gives the scores of one-row forward passes up to float32 rounding, not always to
/// the bit: libtorch multiplies one row with a different kernel (a matrix-vector product) than many rows (a matrix product),
/// and the two sum in different orders (relative differences of about 1e-7 of the layer sums). A predicted label can differ
/// only where the score lies within that rounding of the decision boundary. <see cref="ScoringBatchSize"/> = 1 gives the
/// one-row results exactly.</para>
/// </remarks>
public sealed class TorchModuleTransformer : ITransformer, IDisposable
{
    private const string Magic = "TrainingDiagnostics.TorchModuleTransformer";
    private const int FormatVersion = 1;
    private readonly MLContext _context;
    private readonly DataViewSchema.Annotations? _keyAnnotations;
    private readonly string[]? _keyNames;
    private readonly Lock _gate = new();
    private int _scoringBatchSize = TorchModuleTrainerOptions.DefaultScoringBatchSize;

    internal TorchModuleTransformer(
        MLContext context, nn.Module<Tensor, Tensor> module, TorchModuleTask task, string featureColumnName, int featureSize, int outputs,
        string[]? keyNames, DataViewSchema.Annotations? keyAnnotations, DiagnosticsRun run, Device device)
    {
        _context = context;
        Module = module;
        Task = task;
        FeatureColumnName = featureColumnName;
        FeatureSize = featureSize;
        OutputCount = outputs;
        _keyNames = keyNames;
        _keyAnnotations = keyAnnotations;
        Run = run;
        Device = device;
        module.eval();
    }

    /// <summary>The trained module (in eval mode). Scoring locks it: do not train it while this transformer scores.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The task the module was trained for, which fixes the output columns.</summary>
    public TorchModuleTask Task { get; }

    /// <summary>The feature column the module reads (a vector of Single of <see cref="FeatureSize"/>).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The number of features per row.</summary>
    public int FeatureSize { get; }

    /// <summary>The module's outputs per row: 1, or the number of classes.</summary>
    public int OutputCount { get; }

    /// <summary>The device the module lives on.</summary>
    public Device Device { get; }

    /// <summary>
    /// The run of this module's training: metadata, every step with its per-layer gradient norms (the trainer keeps every
    /// step in memory), incidents, validation metrics, and the data profiles and observed fits recorded in the same
    /// <see cref="MLContext"/> before the fit. Empty (no steps) for a transformer made by <see cref="Load"/>.
    /// </summary>
    public DiagnosticsRun Run { get; }

    /// <summary>
    /// Rows per forward pass when a cursor over <see cref="Transform"/>'s view reads a score column; the trainer sets it from
    /// <see cref="TorchModuleTrainerOptions.ScoringBatchSize"/>, <see cref="Load"/> to the default, 1024. A cursor keeps
    /// a batch's features (rows × <see cref="FeatureSize"/> floats) and the other columns it reads; set it before creating the
    /// cursor. 1 scores one row per forward pass (the slowest, and bit for bit a prediction engine's results).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ScoringBatchSize
    {
        get => _scoringBatchSize;
        set
        {
            TorchModuleTrainerOptions.CheckScoringBatchSize(value, nameof(value));
            _scoringBatchSize = value;
        }
    }

    /// <summary>True: rows can be scored one at a time (see <see cref="GetRowToRowMapper"/>), so prediction engines work.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with the task's output columns appended (Score, and Probability and PredictedLabel for classification).</summary>
    /// <param name="inputSchema">The schema of the data to score; it must have the feature column.</param>
    /// <returns>The scored schema.</returns>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        int size = ColumnChecks.KnownSizeSingleVector(inputSchema, FeatureColumnName, ColumnRequirement.Features);
        if (size != FeatureSize)
        {
            throw new ArgumentException(
                $"The feature column '{FeatureColumnName}' must be of type Vector<Single, {FeatureSize}> (the size the module was trained on), but it is Vector<Single, {size}>.");
        }

        return ScoringSchema.Build(inputSchema, Task, OutputCount, _keyAnnotations, _keyNames);
    }

    /// <summary>
    /// Scores <paramref name="input"/> lazily: a view with the output columns, computed when read, one forward pass per
    /// <see cref="ScoringBatchSize"/> rows. Its cursor sets are the input's (parallel cursors where the input offers them),
    /// each with its own buffers. A row whose feature vector does not have <see cref="FeatureSize"/> values makes the read of
    /// its score throw an <see cref="InvalidOperationException"/> that names the row.
    /// </summary>
    /// <param name="input">The rows to score.</param>
    /// <returns>The scored view.</returns>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredDataView(input, this);
    }

    /// <summary>A row mapper that scores single rows (used by <c>mlContext.Model.CreatePredictionEngine</c>).</summary>
    /// <param name="inputSchema">The schema of the rows.</param>
    /// <returns>The mapper.</returns>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ScoringRowMapper(inputSchema, this);
    }

    /// <summary>
    /// Always throws: ML.NET's model files cannot hold a TorchSharp module (a third party can only add CustomMapping stages,
    /// which persist no state). Use <see cref="SaveModule"/> and <see cref="Load"/> for the module.
    /// </summary>
    /// <param name="ctx">ML.NET's save context.</param>
    /// <exception cref="InvalidOperationException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new InvalidOperationException(
        "A TorchModuleTransformer cannot be saved with mlContext.Model.Save: ML.NET's model format has no room for a TorchSharp module. " +
        "Save the module with transformer.SaveModule(path) and load it with TorchModuleTransformer.Load(mlContext, path, modelFactory); " +
        "save the stages before it (for example the normalizer) as their own ML.NET model.");

    /// <summary>
    /// Writes the module's weights and what scoring needs (task, feature column and size, outputs, label key values as text)
    /// to one file. The training run is not saved (write it with <see cref="TorchModuleTrainerOptions.RunLogPath"/>).
    /// </summary>
    /// <param name="path">The file to create or overwrite.</param>
    public void SaveModule(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var header = new ModuleFileHeader(FormatVersion, Task.ToString(), FeatureColumnName, FeatureSize, OutputCount, _keyNames);
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(JsonSerializer.Serialize(header));
        lock (_gate)
        {
            Module.save(writer);
        }
    }

    /// <summary>
    /// Loads a module written by <see cref="SaveModule"/>: builds a fresh module with <paramref name="modelFactory"/> (the
    /// same architecture as the one trained) and loads the weights into it, on the context's default device.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The file written by <see cref="SaveModule"/>.</param>
    /// <param name="modelFactory">Builds the module's architecture (the trainer's <see cref="TorchModuleTrainerOptions.ModelFactory"/>).</param>
    /// <returns>A transformer that scores like the saved one; its <see cref="Run"/> has no steps.</returns>
    /// <exception cref="InvalidDataException">The file was not written by <see cref="SaveModule"/>.</exception>
    public static TorchModuleTransformer Load(MLContext mlContext, string path, Func<nn.Module<Tensor, Tensor>> modelFactory)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(modelFactory);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        ModuleFileHeader header;
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException($"'{path}' is not a module saved by TorchModuleTransformer.SaveModule.");
            }

            header = JsonSerializer.Deserialize<ModuleFileHeader>(reader.ReadString())
                ?? throw new InvalidDataException($"'{path}' has an empty header.");
        }
        catch (Exception ex) when (ex is EndOfStreamException or JsonException)
        {
            throw new InvalidDataException($"'{path}' is not a module saved by TorchModuleTransformer.SaveModule ({ex.Message}).", ex);
        }

        if (header.Version > FormatVersion)
        {
            throw new InvalidDataException($"'{path}' was written by a newer version (format {header.Version}); update TrainingDiagnostics.MLNet.");
        }

        var module = modelFactory() ?? throw new InvalidOperationException("modelFactory returned null.");
        module.load(reader);
        Device device = TorchModuleTrainer.DefaultDevice(mlContext);
        module.to(device);
        var run = new DiagnosticsRun { Metadata = new RunMetadata { RunName = $"loaded from {Path.GetFileName(path)}" } };
        return new TorchModuleTransformer(mlContext, module, Enum.Parse<TorchModuleTask>(header.Task), header.FeatureColumnName,
            header.FeatureSize, header.Outputs, header.KeyNames, null, run, device);
    }

    /// <summary>Disposes the module.</summary>
    public void Dispose() => Module.Dispose();

    /// <summary>
    /// One forward pass over the first <paramref name="rows"/> rows of <paramref name="features"/> (row-major, <see cref="FeatureSize"/>
    /// per row), writing <see cref="OutputCount"/> values per row to <paramref name="outputs"/>: logits (binary), class
    /// probabilities (multiclass) or values (regression).
    /// </summary>
    internal void Score(float[] features, int rows, Span<float> outputs)
    {
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            if (Module.training)
            {
                Module.eval();
            }

            Tensor x = tensor(features, [features.Length / FeatureSize, FeatureSize]).narrow(0, 0, rows).to(Device);
            Tensor output = Module.call(x);
            if (output.numel() != (long)rows * OutputCount)
            {
                throw new InvalidOperationException(
                    $"The module returned shape [{string.Join(", ", output.shape)}] for {rows} rows of {FeatureSize} features, but scoring " +
                    $"expects [{rows}, {OutputCount}] ({OutputCount} output{(OutputCount == 1 ? "" : "s")} per row). Give the transformer a " +
                    "module of the architecture it was trained or saved with.");
            }

            output = output.reshape(rows, OutputCount).to_type(ScalarType.Float32);
            if (Task == TorchModuleTask.MulticlassClassification)
            {
                output = nn.functional.softmax(output, 1);
            }

            output.cpu().data<float>().CopyTo(outputs);
        }
    }

    /// <summary>Throws when a row's feature vector does not have <see cref="FeatureSize"/> values (the module cannot score it).</summary>
    internal void CheckFeatureLength(int length, long position)
    {
        if (length != FeatureSize)
        {
            throw new InvalidOperationException(
                $"Row {position} of the feature column '{FeatureColumnName}' has {length} values, but the module was trained on " +
                $"{FeatureSize}. The column's type promises {FeatureSize}: check the data source (for a class, the length of the array " +
                "in each row) or the stage that builds the column.");
        }
    }

    internal MLContext Context => _context;

    private sealed record ModuleFileHeader(int Version, string Task, string FeatureColumnName, int FeatureSize, int Outputs, string[]? KeyNames);
}
