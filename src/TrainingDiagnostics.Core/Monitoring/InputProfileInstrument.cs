using System.Globalization;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.ModuleState;
using static TorchSharp.torch;

namespace TrainingDiagnostics.Monitoring;

/// <summary>
/// The profile of the model's input over the first <see cref="MonitorOptions.InputProfileBatches"/> steps: per feature
/// count, non-finite count, mean, standard deviation, minimum and maximum, merged over those batches and recorded once as a
/// <see cref="DataProfileRecord"/> named <see cref="InstrumentMetricNames.InputProfile"/>, with the
/// <see cref="InputScaleJudge"/>'s <c>unnormalized-input</c> finding when the features need standardizing.
/// </summary>
/// <remarks>
/// <para>The input is the tensor the model's first module call of the step receives: a forward pre-hook on every
/// single-tensor module, the root's firing first when the loss closure calls the model through <c>call()</c>. Only a
/// floating-point input is profiled (token ids are not features to scale). A feature is a column of an [N, F] input
/// (<c>input[:,j]</c>), the single column of an [N] input, and a channel of an [N, C, ...] input, pooled over the batch
/// and every position. At most <see cref="MaxColumns"/> features are profiled (the first ones): a wider input is rarely a
/// table of independent features (a flattened image, an embedding), and the record stays a readable size.</para>
/// <para>The statistics of a batch are reduced on the device (float32, or float64 for a float64 input) and read with the
/// step's one transfer (5 values per feature); the batches are merged on the host with Chan et al.'s pairwise update of
/// the mean and the sum of squared deviations. Batches with another feature count than the first are left out. The hooks
/// exist only in the profiled steps' forward passes (never during a replay) and change nothing. The record is written at
/// the last profiled step; a run shorter than that writes none.</para>
/// </remarks>
internal sealed class InputProfileInstrument : Instrument
{
    /// <summary>The most features profiled: the first 4096.</summary>
    public const int MaxColumns = 4096;

    /// <summary>How to standardize in a TorchSharp program: the end of the finding's detail.</summary>
    private const string Advice =
        "In TorchSharp: take mean = x.mean(0) and std = x.std(0) over the training set once (per channel for images) and feed (x - mean) / std to the model.";

    private readonly int _batches;
    private readonly List<nn.Module<Tensor, Tensor>> _modules = [];
    private readonly List<Action> _removers = [];
    private int _stepsTaken;
    private bool _seenThisStep;
    private Tensor? _pending;
    private DeviceRead _read;
    private long _pendingRows;
    private long _pendingValuesPerColumn;
    private ScalarType _pendingType;
    private Exception? _failure;
    private Columns? _columns;
    private long _rows;

    public InputProfileInstrument(int batches, ModuleTree tree)
        : base("input-profile", CostTier.Economy, batches > 0 ? Schedule.Every(1) : Schedule.Never)
    {
        if (batches < 0)
            throw new ArgumentOutOfRangeException(nameof(batches), batches,
                "MonitorOptions.InputProfileBatches is the number of first steps whose input is profiled: 0 turns the profile off, 5 is the default.");
        _batches = batches;
        foreach (var (_, module) in tree.Modules)
            if (module is nn.Module<Tensor, Tensor> single)
                _modules.Add(single);
    }

    /// <summary>Due at the first <c>batches</c> steps the monitor runs (whatever their numbers) that its schedule allows.</summary>
    public override bool IsDue(long step)
    {
        bool due = _stepsTaken < _batches && _modules.Count > 0 && base.IsDue(step);
        if (!due && _removers.Count > 0)
            Disarm(); // a step whose loss closure threw never reached Queue: its hooks must not watch this one
        return due;
    }

    public override void BeforeForward(InstrumentContext context)
    {
        Disarm();
        _stepsTaken++;
        foreach (var module in _modules)
        {
            var remover = module.register_forward_pre_hook((_, input) =>
            {
                Observe(input);
                return null!;
            });
            _removers.Add(remover.remove);
        }
    }

    public override void Queue(InstrumentContext context)
    {
        RemoveHooks();
        if (_pending is not null && _failure is null)
            _read = context.Reads.AddVector(_pending, (int)_pending.numel());
    }

    public override void Compute(InstrumentContext context)
    {
        try
        {
            if (_failure is { } failure)
                throw new InvalidOperationException($"The input-profile instrument's forward pre-hook failed: {failure.Message}", failure);
            if (_pending is not null)
                Merge(context.Reads, (int)(_pending.numel() / 5));
            if (_stepsTaken == _batches && _columns is not null)
                context.RecordDataProfile(_columns.ToRecord(_rows));
        }
        finally
        {
            Disarm();
        }
    }

    protected override void Dispose(bool disposing) => Disarm();

    private void Merge(DeviceReads reads, int count)
    {
        var values = new double[5 * count];
        for (int i = 0; i < values.Length; i++)
            values[i] = reads[new DeviceRead(_read.Index + i)];
        _columns ??= new Columns(count, _pendingType);
        if (_columns.Count != count)
            return; // another feature count than the first batch's: not the same features
        _columns.Add(values, _pendingValuesPerColumn);
        _rows += _pendingRows;
    }

    /// <summary>Takes the hooks off and frees the batch statistics still held.</summary>
    private void Disarm()
    {
        RemoveHooks();
        _pending?.Dispose();
        _pending = null;
        _failure = null;
        _seenThisStep = false;
    }

    private void RemoveHooks()
    {
        foreach (var remove in _removers)
            remove();
        _removers.Clear();
    }

    private void Observe(Tensor input)
    {
        if (_seenThisStep)
            return;
        _seenThisStep = true; // the first module call of the step gets the model's input
        if (input.dim() == 0 || input.numel() == 0 || !input.is_floating_point())
            return;
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = input.detach();
            if (x.dim() == 1)
                x = x.unsqueeze(1);
            if (x.shape[1] > MaxColumns)
                x = x.narrow(1, 0, MaxColumns);
            x = x.to(x.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32);
            long columns = x.shape[1];
            var dims = Enumerable.Range(0, (int)x.dim()).Where(d => d != 1).Select(d => (long)d).ToArray();
            var broadcast = Enumerable.Range(0, (int)x.dim()).Select(d => d == 1 ? columns : 1L).ToArray();
            long valuesPerColumn = x.numel() / columns;
            // Scalars held by `using` until the operations that read them return: an implicit one can be finalized by
            // the GC while libtorch still reads it (TorchSharp passes the bare handle).
            using var zero = 0.0.ToScalar();
            using var one = 1.0.ToScalar();
            using var perColumn = ((double)valuesPerColumn).ToScalar();
            using var infinity = double.PositiveInfinity.ToScalar();
            using var negativeInfinity = double.NegativeInfinity.ToScalar();
            var notFinite = x.isfinite().logical_not_();
            var nonFinite = notFinite.sum(dims, type: x.dtype); // small counts, exact in float32 (unlike counts of finite values beyond 2^24)
            var sum = x.masked_fill(notFinite, zero).sum(dims);
            var mean = sum / nonFinite.neg().add_(perColumn, one).clamp_min(one);
            var deviation = (x - mean.view(broadcast)).masked_fill_(notFinite, zero);
            var squares = (deviation * deviation).sum(dims);
            var min = x.masked_fill(notFinite, infinity).amin(dims);
            var max = x.masked_fill(notFinite, negativeInfinity).amax(dims);
            _pending = cat([nonFinite, sum, squares, min, max]).DetachFromDisposeScope();
            _pendingRows = x.shape[0];
            _pendingValuesPerColumn = valuesPerColumn;
            _pendingType = input.dtype;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _failure = e;
        }
    }

    /// <summary>The merged per-feature statistics of the batches seen so far.</summary>
    private sealed class Columns(int count, ScalarType type)
    {
        private readonly long[] _values = new long[count];
        private readonly double[] _finite = new double[count];
        private readonly double[] _mean = new double[count];
        private readonly double[] _squares = new double[count];
        private readonly double[] _min = Enumerable.Repeat(double.PositiveInfinity, count).ToArray();
        private readonly double[] _max = Enumerable.Repeat(double.NegativeInfinity, count).ToArray();

        public int Count => count;

        /// <summary>Adds one batch: its values laid out as non-finite count, sum, squared deviations, min, max (each per feature).</summary>
        public void Add(double[] batch, long valuesPerColumn)
        {
            for (int j = 0; j < count; j++)
            {
                double n = valuesPerColumn - batch[j], sum = batch[count + j], squares = batch[2 * count + j];
                _values[j] += valuesPerColumn;
                if (n == 0)
                    continue;
                // Chan, Golub and LeVeque's pairwise update: exact for the pooled mean and sum of squared deviations.
                double mean = sum / n, total = _finite[j] + n, delta = mean - _mean[j];
                _mean[j] += delta * n / total;
                _squares[j] += squares + delta * delta * _finite[j] * n / total;
                _finite[j] = total;
                _min[j] = Math.Min(_min[j], batch[3 * count + j]);
                _max[j] = Math.Max(_max[j], batch[4 * count + j]);
            }
        }

        public DataProfileRecord ToRecord(long rows)
        {
            string typeName = type.ToString();
            var profiles = new ColumnProfile[count];
            for (int j = 0; j < count; j++)
            {
                bool any = _finite[j] > 0;
                profiles[j] = new ColumnProfile
                {
                    Name = string.Create(CultureInfo.InvariantCulture, $"input[:,{j}]"),
                    Type = typeName,
                    Count = _values[j],
                    NonFiniteCount = _values[j] - (long)_finite[j],
                    Min = any ? _min[j] : double.NaN,
                    Max = any ? _max[j] : double.NaN,
                    Mean = any ? _mean[j] : double.NaN,
                    StandardDeviation = any ? Math.Sqrt(_squares[j] / _finite[j]) : double.NaN,
                    IsConstant = any && _min[j] == _max[j],
                };
            }
            return new DataProfileRecord
            {
                Name = InstrumentMetricNames.InputProfile,
                RowCount = rows,
                Columns = profiles,
                ScaleSpread = InputScaleJudge.ScaleSpread(profiles),
                // Placed at the model's input as a whole, where the report's findings place it.
                Findings = InputScaleJudge.Judge(profiles, Advice) is { } finding ? [finding with { Column = InstrumentMetricNames.InputProfile }] : [],
            };
        }
    }
}
