namespace TrainingDiagnostics.ModuleState;

/// <summary>A handle to one value queued in <see cref="DeviceReads"/>; its value is available after the step's transfer.</summary>
/// <param name="Index">The value's position in the transfer.</param>
public readonly record struct DeviceRead(int Index);
