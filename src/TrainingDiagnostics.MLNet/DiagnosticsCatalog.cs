using System.Runtime.CompilerServices;
using Microsoft.ML;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.MLNet.Internal;
using TrainingDiagnostics.MLNet.Mapping;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet;

/// <summary>
/// TrainingDiagnostics' ML.NET stages, reached with <c>mlContext.Diagnostics()</c>: a trainer for TorchSharp modules under
/// the training monitor, a non-finite flag, a data profile, pointwise derivative columns, and a wrapper that records any
/// estimator's fit.
/// </summary>
/// <remarks>
/// Savable stages (<see cref="FlagNonFinite"/>, <see cref="PointwiseDerivatives{TFunction}"/>) are ML.NET CustomMapping
/// stages: <c>mlContext.Model.Save</c> stores them by contract name only, and the context that loads the model must know
/// their factories. For FlagNonFinite, creating the catalog in the loading context (<c>mlContext.Diagnostics()</c>) is
/// enough; for PointwiseDerivatives, call <see cref="RegisterPointwiseDerivatives{TFunction}"/> with the same function and order.
/// </remarks>
public sealed class DiagnosticsCatalog
{
    /// <summary>One catalog per context, alive as long as its context.</summary>
    private static readonly ConditionalWeakTable<MLContext, DiagnosticsCatalog> Catalogs = new();

    private readonly Lock _registration = new();
    private bool _ownAssemblyRegistered;
    private bool _generatedAssemblyRegistered;

    private DiagnosticsCatalog(MLContext mlContext)
    {
        Context = mlContext;
    }

    /// <summary>The ML.NET context the stages belong to.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// The data profiles and observed fits recorded in this context so far (by <see cref="ProfileData"/> and
    /// <see cref="Observe{TTransformer}(IEstimator{TTransformer})"/> fits), the records a <see cref="TorchModuleTrainer"/> fit adds to its run.
    /// </summary>
    public (IReadOnlyList<DataProfileRecord> DataProfiles, IReadOnlyList<ObservedFitRecord> ObservedFits) Records
    {
        get
        {
            var (profiles, fits) = PipelineRecords.Of(Context).Snapshot();
            return (profiles, fits);
        }
    }

    /// <summary>
    /// A trainer for the TorchSharp module that <see cref="TorchModuleTrainerOptions.ModelFactory"/> builds, trained under the
    /// training monitor with observers and a validation set; see <see cref="TorchModuleTrainer"/>.
    /// </summary>
    /// <param name="options">The module, task, columns, optimization and diagnostics settings.</param>
    /// <returns>The trainer.</returns>
    public TorchModuleTrainer TorchModule(TorchModuleTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TorchModuleTrainer(Context, options);
    }

    /// <summary>
    /// Adds <c>HasNonFinite</c> (Boolean) and <c>NonFiniteCount</c> (Int32): whether and how many values of
    /// <paramref name="inputColumnName"/> (Single or Double, scalar or vector) are NaN or infinite. Each value is checked in its
    /// column's own precision: a finite Double beyond Single's range (above about 3.4e38) is not flagged. Savable: it round-trips
    /// through <c>mlContext.Model.Save</c>/<c>Load</c> (the loading context must have called <c>mlContext.Diagnostics()</c>),
    /// and the checked column's name survives the round trip. Drop the flagged rows with
    /// <c>mlContext.Data.FilterByCustomPredicate&lt;NonFiniteOutput&gt;(data, row =&gt; row.HasNonFinite)</c> (FilterRowsByColumn
    /// takes only Single, Double and key columns, not the Int32 count). Cost: one pass over each row's values.
    /// </summary>
    /// <param name="inputColumnName">The column to check. Default <c>"Features"</c>.</param>
    /// <returns>The estimator (a chain of savable stages).</returns>
    public IEstimator<ITransformer> FlagNonFinite(string inputColumnName = "Features")
    {
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        return new NonFiniteFlagEstimator(Context, inputColumnName);
    }

    /// <summary>
    /// Profiles <paramref name="columnNames"/> when fitted and passes data through; see <see cref="DataProfileEstimator"/>.
    /// </summary>
    /// <param name="columnNames">The numeric columns to profile (Single or Double, scalar or vector); at least one.</param>
    /// <returns>The estimator.</returns>
    public DataProfileEstimator ProfileData(params string[] columnNames)
    {
        ArgumentNullException.ThrowIfNull(columnNames);
        if (columnNames.Length == 0)
        {
            throw new ArgumentException("ProfileData needs at least one column name, for example ProfileData(\"Features\").", nameof(columnNames));
        }

        return new DataProfileEstimator(Context, columnNames, "training data");
    }

    /// <summary>
    /// Adds <paramref name="outputColumnName"/>: the derivatives of orders 0..<paramref name="order"/> of the pointwise function
    /// <typeparamref name="TFunction"/> at every value of <paramref name="inputColumnName"/> (Single or Double, scalar or vector
    /// of n values), by Taylor-mode jets on the <see cref="PointwiseEngine"/> (CPU executor, with its SIMD path when
    /// <typeparamref name="TFunction"/> also implements <see cref="ILaneFunction"/>). Layout: a Single vector of (order + 1)·n
    /// values, order-major: entry k·n + i is f^(k)(x_i) (so the first n entries are f itself). Jets are computed in double and
    /// rounded to Single once. Savable: the function and order are baked into the stage's contract name; a loading context
    /// must call <see cref="RegisterPointwiseDerivatives{TFunction}"/> (same function, same order) before loading.
    /// </summary>
    /// <typeparam name="TFunction">The function: a public struct implementing <see cref="IUnaryFunction"/>.</typeparam>
    /// <param name="outputColumnName">The column to add.</param>
    /// <param name="inputColumnName">The points.</param>
    /// <param name="order">The highest derivative, 0..<see cref="Jet.MaxOrder"/>.</param>
    /// <returns>The estimator (a chain of savable stages).</returns>
    public IEstimator<ITransformer> PointwiseDerivatives<TFunction>(string outputColumnName, string inputColumnName, int order)
        where TFunction : struct, IUnaryFunction
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (order is < 0 or > Jet.MaxOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, $"PointwiseDerivatives: order must be 0..{Jet.MaxOrder} (derivatives 0..order are output).");
        }

        RegisterFactory<TFunction>(Context, order);
        return new PointwiseDerivativesEstimator<TFunction>(Context, outputColumnName, inputColumnName, order);
    }

    /// <summary>
    /// Makes a saved PointwiseDerivatives stage of <typeparamref name="TFunction"/> and <paramref name="order"/> loadable in this
    /// context: call it before <c>mlContext.Model.Load</c>.
    /// </summary>
    /// <typeparam name="TFunction">The stage's function.</typeparam>
    /// <param name="order">The stage's order.</param>
    public void RegisterPointwiseDerivatives<TFunction>(int order)
        where TFunction : struct, IUnaryFunction => RegisterFactory<TFunction>(Context, order);

    /// <summary>Wraps <paramref name="estimator"/> so that its fits are recorded; see <see cref="ObservedEstimator{TTransformer}"/>.</summary>
    /// <typeparam name="TTransformer">The estimator's transformer.</typeparam>
    /// <param name="estimator">Any estimator (a closed ML.NET trainer, a transform, a chain).</param>
    /// <returns>The observing wrapper.</returns>
    public ObservedEstimator<TTransformer> Observe<TTransformer>(IEstimator<TTransformer> estimator)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new ObservedEstimator<TTransformer>(Context, estimator, null);
    }

    /// <summary>Like <see cref="Observe{TTransformer}(IEstimator{TTransformer})"/>, naming the stage in the records.</summary>
    /// <typeparam name="TTransformer">The estimator's transformer.</typeparam>
    /// <param name="estimator">Any estimator.</param>
    /// <param name="name">The stage's name, for example <c>"normalize"</c>.</param>
    /// <returns>The observing wrapper.</returns>
    public ObservedEstimator<TTransformer> Observe<TTransformer>(IEstimator<TTransformer> estimator, string name)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ObservedEstimator<TTransformer>(Context, estimator, name);
    }

    /// <summary>
    /// The catalog of <paramref name="context"/>: created on the first call, the same instance afterwards (thread-safe). Each
    /// call makes sure this assembly is registered with the context's component catalog (once), and the assembly of the
    /// PointwiseDerivatives factories generated in this process, once it exists, so that their saved stages load here.
    /// </summary>
    internal static DiagnosticsCatalog Of(MLContext context)
    {
        var catalog = Catalogs.GetValue(context, c => new DiagnosticsCatalog(c));
        catalog.RegisterAssemblies();
        return catalog;
    }

    private void RegisterAssemblies()
    {
        var generated = PointwiseFactoryTypes.GeneratedAssembly;
        if (Volatile.Read(ref _ownAssemblyRegistered) && (generated is null || Volatile.Read(ref _generatedAssemblyRegistered)))
        {
            return;
        }

        lock (_registration)
        {
            if (!_ownAssemblyRegistered)
            {
                Context.ComponentCatalog.RegisterAssembly(typeof(FlagNonFiniteFactory).Assembly);
                Volatile.Write(ref _ownAssemblyRegistered, true);
            }

            if (generated is not null && !_generatedAssemblyRegistered)
            {
                // PointwiseDerivatives factories generated earlier in this process (in any context) load in this one too.
                Context.ComponentCatalog.RegisterAssembly(generated);
                Volatile.Write(ref _generatedAssemblyRegistered, true);
            }
        }
    }

    internal static PointwiseDerivativesFactory<TFunction> RegisterFactory<TFunction>(MLContext context, int order)
        where TFunction : struct, IUnaryFunction
    {
        var type = PointwiseFactoryTypes.For<TFunction>(order);
        context.ComponentCatalog.RegisterAssembly(type.Assembly);
        return (PointwiseDerivativesFactory<TFunction>)Activator.CreateInstance(type)!;
    }
}
