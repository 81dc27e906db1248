using BenchmarkDotNet.Running;
using TrainingDiagnostics.Benchmarks.Monitoring;

// Runs the benchmark classes of this assembly, for example:
//   dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*JacobianDiagonal*' --job short
// or the paired, interleaved monitor-overhead measurement: ... -- paired [pairs] [threads] [setups]
if (args.Length > 0 && args[0] == "paired")
    PairedStepRatio.Run(args[1..]);
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
