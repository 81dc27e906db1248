using TrainingDiagnostics.Cli;

return TdiagApp.Run(args, Console.Out, Console.Error);
