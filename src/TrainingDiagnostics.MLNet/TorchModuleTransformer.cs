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
/// with the training label's count and key values); regression: <c>Score</c>. Scoring is lazy, one forward pass per row read.
/// </summary>
/// <remarks>
/// <para><b>Saving.</b> <c>mlContext.Model.Save</c> cannot hold a TorchSharp module: ML.NET 5 lets a third party into its
/// model files only through CustomMapping, which persists a name and no state. Saving a pipeline that contains this
/// transformer therefore throws an <see cref="InvalidOperationException"/> that points here. Save the module with
/// <see cref="SaveModule"/>, load it with <see cref="Load"/>, and save the rest of the pipeline (which may be savable) on its own.</para>
/// </remarks>
public sealed class TorchModuleTransformer : ITransformer, IDisposable
{
    private const string Magic = "TrainingDiagnostics.TorchModuleTransformer";
    private const int FormatVersion = 1;
    private readonly MLContext _context;
    private readonly DataViewSchema.Annotations? _keyAnnotations;
    private readonly string[]? _keyNames;
    private readonly Lock _gate = new();

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

    /// <summary>True: rows are scored one at a time (see <see cref="GetRowToRowMapper"/>), so prediction engines work.</summary>
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

    /// <summary>Scores <paramref name="input"/> lazily: a view with the output columns, computed one forward pass per row when read.</summary>
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

    /// <summary>One forward pass on one row: logits (binary), class probabilities (multiclass) or the value (regression).</summary>
    internal float[] Score(float[] features)
    {
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor x = tensor(features, [1, features.Length]).to(Device);
            Tensor output = Module.call(x).reshape(-1);
            if (Task == TorchModuleTask.MulticlassClassification)
            {
                output = nn.functional.softmax(output, 0);
            }

            return output.cpu().data<float>().ToArray();
        }
    }

    internal MLContext Context => _context;

    private sealed record ModuleFileHeader(int Version, string Task, string FeatureColumnName, int FeatureSize, int Outputs, string[]? KeyNames);
}
