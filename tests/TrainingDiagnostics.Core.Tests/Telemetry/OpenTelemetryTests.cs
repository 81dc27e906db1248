using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using TorchSharp;
using TrainingDiagnostics.Model;
using TrainingDiagnostics.Monitoring;
using static TorchSharp.torch;
using static TrainingDiagnostics.Tests.Monitoring.MonitorHarness;

namespace TrainingDiagnostics.Tests.Telemetry;

/// <summary>
/// The monitor's meter and logger through the OpenTelemetry SDK, as a service wires them: <c>AddTrainingDiagnostics()</c>
/// on a meter provider, the monitor's <c>Logger</c> from an OpenTelemetry logger factory. The truths: the loss and the
/// gradient norm the test computes itself from the model, the number of steps it ran, the NaN it planted.
/// </summary>
[TestClass]
public sealed class OpenTelemetryTests
{
    private const int Steps = 6, BadStep = 3;

    /// <summary>
    /// A real monitored run: an MLP on a regression, a NaN planted in the input of step 3 (skipped). <c>flush</c> is called
    /// before the monitor is disposed (its gauges are read when the exporter collects).
    /// </summary>
    private static (double LastLoss, double LastGradientNorm, DiagnosticsRun Run) Train(string runName, ILogger logger, Action flush)
    {
        manual_seed(5);
        var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("fc2", nn.Linear(8, 1)));
        var optimizer = optim.SGD(model.parameters(), 0.05);
        using var monitor = new TrainingMonitor(model, new MonitorOptions { RunName = runName, Logger = logger, Optimizer = optimizer });
        double lastLoss = double.NaN, lastNorm = double.NaN;
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Regression(step);
            if (step == BadStep)
                x[0, 0] = float.NaN;
            var result = monitor.Step(step, () =>
            {
                var loss = Mse(model.call(x), y);
                lastLoss = loss.item<float>(); // the test's own reading of the loss
                return loss;
            });
            // The test's own gradient norm: every parameter's gradient, squared and summed, before the optimizer moves anything.
            lastNorm = Math.Sqrt(model.parameters().Sum(p => p.grad is { } g ? g.pow(2).sum().item<float>() : 0.0));
            if (result.ShouldStep)
                optimizer.step();
        }

        flush();
        return (lastLoss, lastNorm, monitor.Run);
    }

    private static KeyValuePair<string, object?>[] Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags)
            tags.Add(tag);
        return [.. tags];
    }

    private static List<MetricPoint> Points(IEnumerable<MetricSnapshot> snapshots, string name, string run) =>
        snapshots.Last(s => s.Name == name).MetricPoints.Where(p => Tags(p).Any(t => t.Key == "run" && (string?)t.Value == run)).ToList();

    [TestMethod]
    public void TheInMemoryExporterReceivesLossGradientNormStepsDurationsAndAnomaliesWithTheRightValues()
    {
        string runName = "otel-" + Guid.NewGuid().ToString("N");
        var metrics = new List<MetricSnapshot>();
        var logs = new List<LogRecord>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddTrainingDiagnostics().AddInMemoryExporter(metrics).Build();
        using var loggerFactory = LoggerFactory.Create(b => b.AddOpenTelemetry(o => o.AddInMemoryExporter(logs)));

        var (loss, norm, run) = Train(runName, loggerFactory.CreateLogger(TrainingMonitor.LoggerCategory), () => meterProvider.ForceFlush());

        Assert.AreEqual(loss, Points(metrics, "training.loss", runName).Single().GetGaugeLastValueDouble(), 1e-6, "the last step's loss");
        Assert.AreEqual(norm, Points(metrics, "training.gradient_norm", runName).Single().GetGaugeLastValueDouble(), 1e-4 * norm, "the last step's gradient norm");
        Assert.AreEqual(Steps, Points(metrics, "training.steps", runName).Single().GetSumLong(), "one count per step: its rate is the step rate");
        MetricPoint duration = Points(metrics, "training.step.duration", runName).Single();
        Assert.AreEqual(Steps, duration.GetHistogramCount());
        Assert.AreEqual(run.Steps.Sum(s => s.ElapsedMilliseconds!.Value) / 1000, duration.GetHistogramSum(), 1e-9, "seconds, as the run log's step times");
        MetricPoint anomalies = Points(metrics, "training.anomalies", runName).Single();
        Assert.AreEqual(1, anomalies.GetSumLong(), "the one planted NaN");
        CollectionAssert.IsSubsetOf(new[] { new KeyValuePair<string, object?>("kind", "NonFiniteInput"), new KeyValuePair<string, object?>("severity", "Critical") }, Tags(anomalies));

        // The incident reached OpenTelemetry's logs as one structured error record.
        LogRecord incident = logs.Single(l => l.Attributes!.Any(a => a.Key == "Run" && (string?)a.Value == runName));
        Assert.AreEqual(LogLevel.Error, incident.LogLevel);
        Assert.AreEqual("TrainingIncident", incident.EventId.Name);
        Assert.AreEqual(1, incident.EventId.Id);
        Assert.AreEqual(TrainingMonitor.LoggerCategory, incident.CategoryName);
        var attributes = incident.Attributes!.ToDictionary(a => a.Key, a => a.Value);
        Assert.AreEqual((long)BadStep, attributes["Step"]);
        Assert.AreEqual(AnomalyKind.NonFiniteInput, attributes["Kind"]);
        Assert.AreEqual(AnomalySeverity.Critical, attributes["Severity"]);
        Assert.AreEqual("input", attributes["Module"]);
        Assert.AreEqual("SkipStep", attributes["Action"]);
    }

    /// <summary>An instrument that throws in <c>Compute</c> at every step: it fails three steps in a row and stands down.</summary>
    private sealed class Faulty() : Instrument("faulty", CostTier.Economy, Schedule.Every(1))
    {
        public override void Compute(InstrumentContext context) => throw new InvalidOperationException("planted failure");
    }

    [TestMethod]
    public void InstrumentFailuresAndHealActionsReachOpenTelemetryAsStructuredLogsAndCounters()
    {
        string runName = "heal-" + Guid.NewGuid().ToString("N");
        var metrics = new List<MetricSnapshot>();
        var logs = new List<LogRecord>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddTrainingDiagnostics().AddInMemoryExporter(metrics).Build();
        using var loggerFactory = LoggerFactory.Create(b => b.AddOpenTelemetry(o => o.AddInMemoryExporter(logs)));

        // Least squares at SGD lr 1.0 diverges (the Hessian's top eigenvalue is about 3.3): the Heal policy scales the rate down.
        manual_seed(21);
        var model = nn.Sequential(("fc", nn.Linear(8, 1)));
        var optimizer = optim.SGD(model.parameters(), 1.0);
        HealRecord[] heals;
        using (var monitor = new TrainingMonitor(model, new MonitorOptions
        {
            RunName = runName,
            Policy = AnomalyPolicy.Heal,
            Optimizer = optimizer,
            Instruments = [new Faulty()],
            Logger = loggerFactory.CreateLogger(TrainingMonitor.LoggerCategory),
        }))
        {
            var generator = new Generator(77);
            var truth = randn(8, 1, generator: generator);
            var batches = Enumerable.Range(0, 8).Select(_ =>
            {
                var x = randn(32, 8, generator: generator);
                return (X: x, Y: x.matmul(truth) + 0.1 * randn(32, 1, generator: generator));
            }).ToArray();
            TrainingDiagnostics.Tests.Monitoring.MonitorHarness.Train(monitor, optimizer, 120, s => batches[s % batches.Length], Mse);
            meterProvider.ForceFlush();
            heals = monitor.Run.Heals.ToArray();
        }

        List<LogRecord> ours = logs.Where(l => l.Attributes!.Any(a => a.Key == "Run" && (string?)a.Value == runName)).ToList();
        Dictionary<string, object?>[] failures = ours.Where(l => l.EventId.Name == "InstrumentFailure")
            .Select(l => l.Attributes!.ToDictionary(a => a.Key, a => a.Value)).ToArray();
        Assert.HasCount(3, failures, "three failing steps in a row, then the instrument stands down");
        Assert.IsTrue(ours.Where(l => l.EventId.Name == "InstrumentFailure").All(l => l.LogLevel == LogLevel.Warning));
        CollectionAssert.AreEqual(new object?[] { 1, 2, 3 }, failures.Select(f => f["ConsecutiveFailures"]).ToArray());
        CollectionAssert.AreEqual(new object?[] { false, false, true }, failures.Select(f => f["StoodDown"]).ToArray());
        Assert.IsTrue(failures.All(f => (string?)f["Instrument"] == "faulty" && (string?)f["Stage"] == "Compute" && (string?)f["Detail"] == "planted failure"));
        Assert.AreEqual(3, Points(metrics, "training.instrument_failures", runName).Single().GetSumLong());

        HealRecord[] actions = heals.Where(h => h.Healed is null).ToArray();
        Assert.IsNotEmpty(actions, "the run diverged and was healed");
        Dictionary<string, object?>[] logged = ours.Where(l => l.EventId.Name == "HealAction")
            .Select(l => l.Attributes!.ToDictionary(a => a.Key, a => a.Value)).ToArray();
        Assert.HasCount(actions.Length, logged);
        for (int i = 0; i < actions.Length; i++)
        {
            Assert.AreEqual(actions[i].Step, logged[i]["Step"]);
            Assert.AreEqual(actions[i].Action, logged[i]["Action"]);
            Assert.AreEqual(actions[i].Factor, logged[i]["Factor"]);
            Assert.AreEqual(actions[i].From, logged[i]["From"]);
            Assert.AreEqual(actions[i].To, logged[i]["To"]);
        }

        Assert.AreEqual(actions.Length, Points(metrics, "training.heal_actions", runName).Sum(p => p.GetSumLong()));
        Assert.AreEqual(heals.Count(h => h.Healed is not null), ours.Count(l => l.EventId.Name == "HealOutcome"));
    }

    [TestMethod]
    public void AnOtlpHttpExportReachesAReceiverOnTheLoopbackAndNamesOurInstruments()
    {
        using var receiver = new OtlpReceiver();
        string runName = "otlp-" + Guid.NewGuid().ToString("N");
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddTrainingDiagnostics()
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(receiver.Address, "v1/metrics");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
        using var loggerFactory = LoggerFactory.Create(b => b.AddOpenTelemetry(o => o.AddOtlpExporter(e =>
        {
            e.Endpoint = new Uri(receiver.Address, "v1/logs");
            e.Protocol = OtlpExportProtocol.HttpProtobuf;
        })));

        Train(runName, loggerFactory.CreateLogger(TrainingMonitor.LoggerCategory), () =>
        {
            Assert.IsTrue(meterProvider.ForceFlush(10_000), "the metrics export finished");
        });
        loggerFactory.Dispose(); // flushes the log export

        (string Path, string ContentType, byte[] Body) metricsRequest = receiver.Requests.First(r => r.Path == "/v1/metrics");
        Assert.AreEqual("application/x-protobuf", metricsRequest.ContentType);
        // Protobuf keeps strings as UTF-8 bytes: the payload names the meter, each instrument and the run.
        foreach (string name in new[] { TrainingMonitor.MeterName, "training.loss", "training.gradient_norm", "training.steps", "training.step.duration", "training.anomalies", runName })
        {
            Assert.IsTrue(OtlpReceiver.Contains(metricsRequest.Body, name), $"the OTLP metrics payload names {name}");
        }

        (string Path, string ContentType, byte[] Body) logsRequest = receiver.Requests.First(r => r.Path == "/v1/logs");
        Assert.IsTrue(OtlpReceiver.Contains(logsRequest.Body, "NonFiniteInput"), "the incident reached the OTLP logs");
        Assert.IsTrue(OtlpReceiver.Contains(logsRequest.Body, runName));
    }

    /// <summary>An OTLP/HTTP receiver on a free port of 127.0.0.1: keeps every request (path, content type, body) and answers 200.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private readonly List<(string, string, byte[])> _requests = [];

        public OtlpReceiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Address.ToString());
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public Uri Address { get; }

        public IReadOnlyList<(string Path, string ContentType, byte[] Body)> Requests
        {
            get
            {
                lock (_requests)
                    return [.. _requests];
            }
        }

        public static bool Contains(byte[] body, string text)
        {
            byte[] needle = Encoding.UTF8.GetBytes(text);
            return body.AsSpan().IndexOf(needle) >= 0;
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_requests)
                    _requests.Add((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
