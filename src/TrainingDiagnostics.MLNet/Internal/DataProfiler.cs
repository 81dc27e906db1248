using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>One pass over the data: per-column (and, for a short vector, per-slot) counts, range, mean, standard deviation.</summary>
internal static class DataProfiler
{
    /// <summary>How to standardize in an ML.NET pipeline: the end of the unnormalized-input finding's detail.</summary>
    private const string Advice = "Normalize them: mlContext.Transforms.NormalizeMeanVariance (or NormalizeMinMax) before the trainer.";

    /// <summary>Vectors up to this size are also profiled slot by slot.</summary>
    public const int MaxSlotsProfiled = 32;

    public static DataProfileRecord Profile(IDataView data, IReadOnlyList<string> columnNames, string name)
    {
        var columns = columnNames.Select(n => ColumnChecks.Require(data.Schema, n, ColumnRequirement.Profiled)).ToList();
        var whole = columns.Select(_ => new Accumulator()).ToArray();
        var slots = columns.Select(c => c.Type is VectorDataViewType { IsKnownSize: true, Size: <= MaxSlotsProfiled } v
            ? Enumerable.Range(0, v.Size).Select(_ => new Accumulator()).ToArray() : null).ToArray();
        var getters = new List<Func<double[]>>();
        long rows = 0;
        using (var cursor = data.GetRowCursor(columns))
        {
            foreach (var column in columns)
            {
                getters.Add(Getter(cursor, column));
            }

            while (cursor.MoveNext())
            {
                rows++;
                for (int c = 0; c < columns.Count; c++)
                {
                    double[] values = getters[c]();
                    for (int i = 0; i < values.Length; i++)
                    {
                        whole[c].Add(values[i]);
                        if (slots[c] is { } perSlot && i < perSlot.Length)
                        {
                            perSlot[i].Add(values[i]);
                        }
                    }
                }
            }
        }

        var profiles = new List<ColumnProfile>();
        var features = new List<ColumnProfile>(); // what the scale judge compares: the slots of a short vector, else whole columns
        for (int c = 0; c < columns.Count; c++)
        {
            var profile = whole[c].ToProfile(columns[c].Name, ColumnChecks.Describe(columns[c].Type));
            profiles.Add(profile);
            if (slots[c] is { } perSlot)
            {
                string[] names = SlotNames(columns[c], perSlot.Length);
                for (int i = 0; i < perSlot.Length; i++)
                {
                    var slot = perSlot[i].ToProfile(names[i], "Single");
                    profiles.Add(slot);
                    features.Add(slot);
                }
            }
            else
            {
                features.Add(profile);
            }
        }

        return new DataProfileRecord
        {
            Name = name,
            RowCount = rows,
            Columns = profiles,
            ScaleSpread = InputScaleJudge.ScaleSpread(features),
            Findings = Findings(profiles, features, columns.Select(c => c.Name).ToHashSet()),
        };
    }

    private static List<DataFinding> Findings(List<ColumnProfile> profiles, List<ColumnProfile> features, HashSet<string> wholeColumns)
    {
        var findings = new List<DataFinding>();
        if (InputScaleJudge.Judge(features, Advice) is { } unnormalized)
        {
            findings.Add(unnormalized);
        }

        foreach (var profile in profiles.Where(p => p.NonFiniteCount > 0 && wholeColumns.Contains(p.Name)))
        {
            findings.Add(new DataFinding
            {
                Rule = "data-nonfinite",
                Severity = AnomalySeverity.Critical,
                Column = profile.Name,
                Title = Invariant($"Column '{profile.Name}' holds {profile.NonFiniteCount} NaN or infinite value(s) of {profile.Count}"),
                Detail = "A NaN feature turns the loss of its batch into NaN. Flag the rows with mlContext.Diagnostics().FlagNonFinite and filter them " +
                    "(mlContext.Data.FilterRowsByColumn on NonFiniteCount), or replace the values (mlContext.Transforms.ReplaceMissingValues).",
            });
        }

        var constant = profiles.Where(p => p.IsConstant).Select(p => p.Name).ToList();
        if (constant.Count > 0)
        {
            findings.Add(new DataFinding
            {
                Rule = "data-constant",
                Severity = AnomalySeverity.Warning,
                Title = Invariant($"{constant.Count} constant column(s) or slot(s): {string.Join(", ", constant.Take(5))}{(constant.Count > 5 ? ", ..." : "")}"),
                Detail = "A constant feature carries no information; a normalizer divides it by a zero spread. Drop it or leave it unscaled.",
            });
        }

        return findings;
    }

    private static string[] SlotNames(DataViewSchema.Column column, int size)
    {
        var names = Enumerable.Range(0, size).Select(i => Invariant($"{column.Name}[{i}]")).ToArray();
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            column.Annotations.GetValue("SlotNames", ref slotNames);
            int i = 0;
            foreach (var slot in slotNames.DenseValues())
            {
                if (i < size && !slot.IsEmpty)
                {
                    names[i] = slot.ToString();
                }

                i++;
            }
        }

        return names;
    }

    /// <summary>The column's values as doubles, row by row: a Single or Double column (as checked), scalar or vector.</summary>
    private static Func<double[]> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = ColumnTypeShape.Of(column.Type);
        switch (type.IsScalar, type.IsDouble)
        {
            case (false, false):
            {
                var get = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> buffer = default;
                return () =>
                {
                    get(ref buffer);
                    return buffer.DenseValues().Select(v => (double)v).ToArray();
                };
            }

            case (false, true):
            {
                var get = cursor.GetGetter<VBuffer<double>>(column);
                VBuffer<double> buffer = default;
                return () =>
                {
                    get(ref buffer);
                    return buffer.DenseValues().ToArray();
                };
            }

            case (true, false):
            {
                var get = cursor.GetGetter<float>(column);
                float value = 0;
                return () =>
                {
                    get(ref value);
                    return [value];
                };
            }

            default:
            {
                var get = cursor.GetGetter<double>(column);
                double value = 0;
                return () =>
                {
                    get(ref value);
                    return [value];
                };
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Welford's running mean and variance of the finite values, with counts and range.</summary>
    private sealed class Accumulator
    {
        private long _count;
        private long _finite;
        private long _nonFinite;
        private double _mean;
        private double _m2;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public void Add(double value)
        {
            _count++;
            if (!double.IsFinite(value))
            {
                _nonFinite++;
                return;
            }

            _finite++;
            double delta = value - _mean;
            _mean += delta / _finite;
            _m2 += delta * (value - _mean);
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        public ColumnProfile ToProfile(string name, string type) => new()
        {
            Name = name,
            Type = type,
            Count = _count,
            NonFiniteCount = _nonFinite,
            Min = _finite == 0 ? double.NaN : _min,
            Max = _finite == 0 ? double.NaN : _max,
            Mean = _finite == 0 ? double.NaN : _mean,
            StandardDeviation = _finite == 0 ? double.NaN : Math.Sqrt(_m2 / _finite),
            IsConstant = _finite > 0 && _min == _max,
        };
    }
}
