using BenchmarkDotNet.Running;

// Runs the benchmark classes of this assembly, for example:
//   dotnet run -c Release --project tools/TrainingDiagnostics.Benchmarks -- --filter '*JacobianDiagonal*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
