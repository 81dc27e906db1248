using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Benchmarks.Report;

/// <summary>
/// Writes large synthetic run logs, seeded: <c>steps</c> x <c>parameters</c> per rank, as a training monitor with its
/// default schedules would: gradient norms every step, weight norms and update ratios every 10th step (float32 values:
/// norms of float32 tensors), a decaying noisy loss, the learning rate, a metric every 1000 steps, a NaN gradient at
/// half-time on one parameter and two incidents. Schema version 2 through <see cref="RunLogWriter"/>, or version 1 (one
/// object per parameter with its name, as logs were written before) for before/after numbers.
/// </summary>
public static class LargeLogGenerator
{
    /// <summary>The folder the benchmark logs are cached in (generated once, reused by later runs).</summary>
    public static string Folder => Path.Combine(Path.GetTempPath(), "tdiag-bench");

    /// <summary>The per-rank log paths for a size, writing them first unless they exist.</summary>
    /// <param name="steps">Steps per rank.</param>
    /// <param name="parameters">Parameter tensors.</param>
    /// <param name="ranks">Ranks (one log each).</param>
    /// <param name="version">Schema version, 1 or 2.</param>
    /// <param name="seed">The random seed (rank r uses seed + r).</param>
    /// <returns>The log paths, rank order.</returns>
    public static string[] Ensure(int steps, int parameters, int ranks, int version = 2, int seed = 3)
    {
        Directory.CreateDirectory(Folder);
        var paths = new string[ranks];
        for (int rank = 0; rank < ranks; rank++)
        {
            string path = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"run-{steps}x{parameters}-r{rank}of{ranks}-v{version}-s{seed}.jsonl"));
            if (!File.Exists(path))
            {
                string partial = path + ".partial";
                Write(partial, steps, parameters, ranks == 1 ? null : rank, ranks, version, seed + rank);
                File.Move(partial, path, overwrite: true);
            }

            paths[rank] = path;
        }

        return paths;
    }

    /// <summary>Writes one log.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="parameters">Parameter tensors.</param>
    /// <param name="rank">The rank, or null for a single-process run.</param>
    /// <param name="worldSize">The number of ranks.</param>
    /// <param name="version">Schema version, 1 or 2.</param>
    /// <param name="seed">The random seed.</param>
    public static void Write(string path, int steps, int parameters, int? rank, int worldSize, int version, int seed)
    {
        var random = new Random(seed);
        string[] names = Enumerable.Range(0, parameters).Select(i => string.Create(CultureInfo.InvariantCulture, $"encoder.block{i / 2}.{(i % 2 == 0 ? "weight" : "bias")}")).ToArray();
        var metadata = new RunMetadata
        {
            RunName = "synthetic long run",
            ModelDescription = string.Create(CultureInfo.InvariantCulture, $"{parameters} parameter tensors"),
            Device = "cpu",
            Seed = seed,
            Rank = rank,
            WorldSize = rank is null ? null : worldSize,
        };
        using var v1 = version == 1 ? new V1Writer(path, metadata) : null;
        using var v2 = version == 2 ? new RunLogWriter(path, metadata) : null;
        for (int s = 0; s < steps; s++)
        {
            var gradient = new double?[parameters];
            double?[]? weight = s % 10 == 0 ? new double?[parameters] : null;
            double?[]? update = s % 10 == 0 && s > 0 ? new double?[parameters] : null;
            for (int p = 0; p < parameters; p++)
            {
                gradient[p] = s == steps / 2 && p == 7 ? double.NaN : (float)Math.Exp((-0.02 * p) + random.NextDouble() - (2.0 * s / steps));
                if (weight is not null)
                {
                    weight[p] = (float)(1 + p + (0.001 * s / steps));
                }

                if (update is not null)
                {
                    update[p] = (float)(1e-3 * Math.Exp(random.NextDouble()));
                }
            }

            var record = new StepRecord
            {
                Step = s,
                Epoch = s / 1000,
                Loss = (2.3 * Math.Exp(-3.0 * s / steps)) + (0.05 * random.NextDouble()),
                LearningRate = 1e-3,
                ElapsedMilliseconds = Math.Round(2 + random.NextDouble(), 3),
                Layers = new ParameterColumns(names, gradient, weight, update),
            };
            if (s == steps / 4)
            {
                var anomaly = new AnomalyEvent { Kind = AnomalyKind.ExplodingGradient, Step = s, Phase = AnomalyPhase.Backward, Message = "Gradient norm 40 times its typical value.", Value = 40, Threshold = 6 };
                v1?.Write(anomaly);
                v2?.Write(anomaly);
            }

            if (s == steps / 2)
            {
                var anomaly = new AnomalyEvent { Kind = AnomalyKind.NonFiniteGradient, Step = s, Phase = AnomalyPhase.Backward, ModulePath = "encoder.block3", Operation = "SqrtBackward0", Message = "NaN in the backward pass of sqrt.", Suggestion = "Clamp the input of sqrt." };
                v1?.Write(anomaly);
                v2?.Write(anomaly);
            }

            v1?.Write(record);
            v2?.Write(record);
            if (s % 1000 == 999)
            {
                var metric = new MetricRecord { Step = s, Name = "validation/loss", Value = record.Loss * 1.1 };
                v1?.Write(metric);
                v2?.Write(metric);
            }
        }
    }

    /// <summary>The version-1 layout, as the writer wrote it before the compact log: every step repeats every name.</summary>
    private sealed class V1Writer : IDisposable
    {
        private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private readonly FileStream _stream;
        private readonly Utf8JsonWriter _json;

        public V1Writer(string path, RunMetadata metadata)
        {
            _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _json = new Utf8JsonWriter(_stream, Options);
            string header = string.Create(CultureInfo.InvariantCulture,
                $"{{\"kind\":\"header\",\"schemaVersion\":1,\"runName\":\"{metadata.RunName}\",\"modelDescription\":\"{metadata.ModelDescription}\",\"device\":\"cpu\",\"seed\":{metadata.Seed}") +
                (metadata.Rank is int r ? string.Create(CultureInfo.InvariantCulture, $",\"rank\":{r},\"worldSize\":{metadata.WorldSize}") : "") + "}\n";
            _stream.Write(Encoding.UTF8.GetBytes(header));
        }

        public void Write(StepRecord step)
        {
            _json.Reset();
            _json.WriteStartObject();
            _json.WriteString("kind", "step");
            _json.WriteNumber("step", step.Step);
            _json.WriteNumber("epoch", step.Epoch!.Value);
            Number("loss", step.Loss);
            Number("learningRate", step.LearningRate!.Value);
            Number("elapsedMilliseconds", step.ElapsedMilliseconds!.Value);
            _json.WriteStartArray("layers");
            foreach (LayerStatistics layer in step.Layers)
            {
                _json.WriteStartObject();
                _json.WriteString("name", layer.Name);
                Optional("gradientNorm", layer.GradientNorm);
                Optional("weightNorm", layer.WeightNorm);
                Optional("updateRatio", layer.UpdateRatio);
                _json.WriteEndObject();
            }

            _json.WriteEndArray();
            _json.WriteEndObject();
            End();
        }

        public void Write(AnomalyEvent anomaly)
        {
            _json.Reset();
            _json.WriteStartObject();
            _json.WriteString("kind", "anomaly");
            _json.WriteString("anomalyKind", anomaly.Kind.ToString());
            _json.WriteNumber("step", anomaly.Step);
            _json.WriteString("phase", anomaly.Phase.ToString());
            _json.WriteString("message", anomaly.Message);
            if (anomaly.ModulePath is not null)
            {
                _json.WriteString("modulePath", anomaly.ModulePath);
            }

            _json.WriteEndObject();
            End();
        }

        public void Write(MetricRecord metric)
        {
            _json.Reset();
            _json.WriteStartObject();
            _json.WriteString("kind", "metric");
            _json.WriteNumber("step", metric.Step);
            _json.WriteString("name", metric.Name);
            Number("value", metric.Value);
            _json.WriteEndObject();
            End();
        }

        public void Dispose()
        {
            _json.Dispose();
            _stream.Dispose();
        }

        private void Optional(string name, double? value)
        {
            if (value is double v)
            {
                Number(name, v);
            }
        }

        private void Number(string name, double value)
        {
            if (double.IsFinite(value))
            {
                _json.WriteNumber(name, value);
            }
            else
            {
                _json.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
            }
        }

        private void End()
        {
            _json.Flush();
            _stream.WriteByte((byte)'\n');
        }
    }
}
