namespace TrainingDiagnostics.Report.Folding;

/// <summary>
/// The median of a stream of non-negative values in bounded memory: exact while it holds at most
/// <see cref="ExactCapacity"/> values; beyond, a log-bucketed histogram (DDSketch-style, Masson et al. 2019) whose
/// answer is within <see cref="RelativeError"/> of a value of the right rank. Memory: the exact buffer, then one
/// counter per bucket spanned (about 115 per decade).
/// </summary>
internal sealed class QuantileSketch
{
    public const int ExactCapacity = 1024;

    /// <summary>Bucket growth factor: a bucket covers (γ^(i-1), γ^i].</summary>
    internal const double Gamma = 1.02;

    /// <summary>The relative error of a median read from the histogram: (γ-1)/(γ+1), about 1 %.</summary>
    public const double RelativeError = (Gamma - 1) / (Gamma + 1);

    private List<double>? _exact = [];
    private int[] _counts = [];
    private int _offset;
    private long _zeros;
    private long _count;

    public long Count => _count;

    public void Add(double value)
    {
        _count++;
        if (_exact is not null)
        {
            if (_exact.Count < ExactCapacity)
            {
                _exact.Add(value);
                return;
            }

            List<double> spilled = _exact;
            _exact = null;
            foreach (double v in spilled)
            {
                Bucket(v);
            }
        }

        Bucket(value);
    }

    public double? Median()
    {
        if (_count == 0)
        {
            return null;
        }

        if (_exact is not null)
        {
            return Analysis.Median.Of(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_exact));
        }

        double upper = AtRank(_count / 2);
        return _count % 2 == 1 ? upper : (AtRank((_count / 2) - 1) + upper) / 2;
    }

    private double AtRank(long rank)
    {
        if (rank < _zeros)
        {
            return 0;
        }

        long seen = _zeros;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen > rank)
            {
                return 2 * Math.Pow(Gamma, i + _offset) / (Gamma + 1);
            }
        }

        return double.NaN; // unreachable: the counts add up to the count
    }

    private void Bucket(double value)
    {
        if (!(value > 0))
        {
            _zeros++;
            return;
        }

        int index = LogBucketIndex.Of(value); // ⌈ln v / ln γ⌉, looked up
        if (_counts.Length == 0)
        {
            _counts = new int[64];
            _offset = index - 32;
        }
        else if (index < _offset || index >= _offset + _counts.Length)
        {
            int low = Math.Min(_offset, index - 16), high = Math.Max(_offset + _counts.Length, index + 17);
            var grown = new int[high - low];
            _counts.CopyTo(grown, _offset - low);
            (_counts, _offset) = (grown, low);
        }

        _counts[index - _offset]++;
    }
}
