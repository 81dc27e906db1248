// A tour of TrainingDiagnostics.HigherOrder: train a small MLP on the digits images for a few epochs, then look at the
// curvature of its loss (trace, top eigenvalues, spectral density, diagonal) and at higher-order derivatives of its
// output (Taylor directional derivatives, the Laplacian exact and by STDE), every estimate with its error bar.
using System.Globalization;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.Modules;
using TrainingDiagnostics.HigherOrder;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
set_num_threads(1); // tiny matrices: one intra-op thread is fastest and steady on a busy machine
manual_seed(0);

var (features, labels) = LoadDigits(Path.Combine(AppContext.BaseDirectory, "Data", "digits.csv.gz"));
Console.WriteLine($"digits: {labels.shape[0]} images of 64 pixels");

// float64 throughout, so the estimators' error bars are not drowned by rounding.
var fc1 = nn.Linear(64, 32, dtype: ScalarType.Float64);
var act = nn.Tanh();
var fc2 = nn.Linear(32, 10, dtype: ScalarType.Float64);
var model = nn.Sequential(("fc1", fc1), ("act", act), ("fc2", fc2));
var optimizer = optim.Adam(model.parameters(), lr: 0.01);
var clock = System.Diagnostics.Stopwatch.StartNew();
for (int epoch = 0; epoch < 5; epoch++)
{
    for (long start = 0; start < labels.shape[0]; start += 64)
    {
        using var scope = NewDisposeScope();
        long length = Math.Min(64, labels.shape[0] - start);
        optimizer.zero_grad();
        nn.functional.cross_entropy(model.call(features.narrow(0, start, length)), labels.narrow(0, start, length)).backward();
        optimizer.step();
    }
}
using (no_grad())
{
    var accuracy = (model.call(features).argmax(1) == labels).to(ScalarType.Float64).mean().ToDouble();
    Console.WriteLine($"trained 5 epochs in {clock.Elapsed.TotalSeconds:F1} s, training accuracy {accuracy:P1}");
}

// The loss on a fixed batch of 256 images: its Hessian with respect to the 2410 parameters.
var batchX = features.narrow(0, 0, 256);
var batchY = labels.narrow(0, 0, 256);
using var h = HessianOperator.ForLoss(model, () => nn.functional.cross_entropy(model.call(batchX), batchY));
Console.WriteLine($"\nHessian of the loss: {h.Dimension} x {h.Dimension}, never formed; each matvec is one backward pass");

var hutchinson = Curvature.Trace(h);
Console.WriteLine($"trace, Hutchinson : {hutchinson.Value,10:F4} ± {hutchinson.StandardError:F4}  ({hutchinson.MatVecs} matvecs)");
var hutchPlusPlus = Curvature.Trace(h, new TraceOptions { Method = TraceMethod.HutchPlusPlus, MaxMatVecs = hutchinson.MatVecs });
Console.WriteLine($"trace, Hutch++    : {hutchPlusPlus.Value,10:F4} ± {hutchPlusPlus.StandardError:F4}  ({hutchPlusPlus.MatVecs} matvecs)");

var top = Curvature.TopEigenvalues(h, 3);
Console.WriteLine($"top eigenvalues (Lanczos, {top.MatVecs} matvecs, converged: {top.Converged}):");
for (int i = 0; i < top.Values.Length; i++)
    Console.WriteLine($"  λ{i + 1} = {top.Values[i],10:F5}  (residual {top.Residuals[i]:E1})");

var density = Curvature.Density(h, new DensityOptions { Runs = 4, StepsPerRun = 40 });
double mean = density.Moment(1), meanSquare = density.Moment(2);
Console.WriteLine($"spectral density (SLQ, {density.Runs} runs, {density.MatVecs} matvecs): nodes in [{density.Nodes.Min():F4}, {density.Nodes.Max():F4}]");
Console.WriteLine($"  tr(H)/n ≈ {mean:E3} (so tr(H) ≈ {mean * h.Dimension:F4}), tr(H²)/n ≈ {meanSquare:E3}");
double sigma = (density.Nodes.Max() - density.Nodes.Min()) / 60;
var grid = density.Grid(12, sigma);
var values = density.Evaluate(grid, sigma);
double peak = values.Max();
foreach (var (t, p) in grid.Zip(values))
    Console.WriteLine($"  {t,9:F4} | {new string('#', (int)Math.Round(40 * Math.Sqrt(p / peak)))}");

var diagonal = Curvature.Diagonal(h, new DiagonalOptions { MaxMatVecs = 60 });
var largest = Enumerable.Range(0, diagonal.Values.Length).OrderByDescending(i => diagonal.Values[i]).Take(3);
Console.WriteLine($"diagonal (Hutchinson, {diagonal.MatVecs} matvecs): sum {diagonal.Sum:F4}; largest entries:");
foreach (int i in largest)
    Console.WriteLine($"  H[{i},{i}] ≈ {diagonal.Values[i]:F5} ± {diagonal.StandardErrors[i]:F5}");

// Higher order, in input space: the logits along a line through one image.
var image = features.narrow(0, 0, 1);
var generator = new Generator(3, CPU);
var direction = randn(new long[] { 1, 64 }, ScalarType.Float64, generator: generator) * 0.1;
Taylor.Forward(model, image, direction, 4); // warm up both routes (JIT, first libtorch calls) before timing
Taylor.DirectionalDerivatives(x => model.call(x), image, direction, 4);
clock.Restart();
var jets = Taylor.Forward(model, image, direction, 4);
var jetTime = clock.Elapsed.TotalMilliseconds;
clock.Restart();
var nested = Taylor.DirectionalDerivatives(x => model.call(x), image, direction, 4);
var nestedTime = clock.Elapsed.TotalMilliseconds;
Console.WriteLine($"\nd^k/dt^k logit_0(x + t·v) at t = 0: jets {jetTime:F1} ms (one pass), nested autograd {nestedTime:F1} ms");
for (int k = 0; k <= 4; k++)
    Console.WriteLine($"  k = {k}: {jets[k][0, 0].ToDouble(),14:E6} (jets)  {nested[k][0, 0].ToDouble(),14:E6} (autograd)");

// The Laplacian of the top logit of one image with respect to its 64 pixels.
// A bias-free Linear(10, 1) with a one-hot weight picks the logit: a supported layer, so Taylor.Forward can run the model.
var pick = nn.Linear(10, 1, hasBias: false, dtype: ScalarType.Float64);
using (no_grad())
    pick.weight!.copy_(nn.functional.one_hot(labels[0], 10).to(ScalarType.Float64).unsqueeze(0));
var scorer = nn.Sequential(("fc1", fc1), ("act", act), ("fc2", fc2), ("pick", pick));
var point = image.reshape(64);
Tensor Logit(Tensor x) => scorer.call(x.unsqueeze(0)).sum();
var exact = Taylor.Laplacian(Logit, point).ToDouble();
// The same seed gives both routes the same 400 directions, so they must agree to rounding.
var byHvp = Stde.Laplacian(Logit, point, 400, new Generator(5, CPU));
var byJets = Stde.Laplacian(scorer, point, 400, new Generator(5, CPU));
Console.WriteLine($"\nLaplacian of logit_{labels[0].ToInt64()} over the 64 pixels:");
Console.WriteLine($"  exact (65 backward passes)         : {exact:F6}");
Console.WriteLine($"  STDE, 400 directions, by HVPs      : {byHvp.Value:F6} ± {byHvp.StandardError:F6}");
Console.WriteLine($"  STDE, 400 directions, one jet pass : {byJets.Value:F6} ± {byJets.StandardError:F6}");
Console.WriteLine($"  |STDE - exact| = {Math.Abs(byJets.Value - exact) / byJets.StandardError:F1} standard errors");

static (Tensor Features, Tensor Labels) LoadDigits(string path)
{
    // Each line: 64 pixel counts 0..16 and the label (the same file tdiag's demo trains on).
    var pixels = new List<double>();
    var labels = new List<long>();
    using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
    string? line;
    while ((line = reader.ReadLine()) is not null)
    {
        if (line.Length == 0)
            continue;
        var cells = line.Split(',');
        pixels.AddRange(cells.Take(64).Select(c => double.Parse(c, CultureInfo.InvariantCulture) / 16));
        labels.Add(long.Parse(cells[64], CultureInfo.InvariantCulture));
    }
    return (tensor(pixels.ToArray(), new long[] { labels.Count, 64 }), tensor(labels.ToArray()));
}

