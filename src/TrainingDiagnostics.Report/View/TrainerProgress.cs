namespace TrainingDiagnostics.Report.View;

/// <summary>One trainer's reported progress within a pipeline stage (see <see cref="StageProgress"/>).</summary>
/// <param name="Name">The trainer's name (the series names' common prefix).</param>
/// <param name="Iterations">How many iterations its first series reported.</param>
/// <param name="FirstIteration">The first reported iteration.</param>
/// <param name="LastIteration">The last reported iteration.</param>
/// <param name="Constant">The quantities that kept one finite value at every iteration, with that value.</param>
/// <param name="Charts">The charts drawn for it (its losses together, then each other quantity).</param>
internal sealed record TrainerProgress(string Name, int Iterations, long FirstIteration, long LastIteration,
    IReadOnlyList<(string Quantity, double Value)> Constant, IReadOnlyList<LineChartData> Charts);
