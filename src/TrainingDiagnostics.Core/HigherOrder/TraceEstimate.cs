namespace TrainingDiagnostics.HigherOrder;

/// <summary>An estimate of tr(H) from <see cref="Curvature.Trace"/>.</summary>
/// <param name="Value">The estimate of the trace.</param>
/// <param name="StandardError">Its standard error (for Hutch++, that of the Hutchinson part on the deflated remainder; the sketched part is exact given the sketch).</param>
/// <param name="MatVecs">The Hessian-vector products spent.</param>
/// <param name="Method">The estimator used.</param>
public sealed record TraceEstimate(double Value, double StandardError, int MatVecs, TraceMethod Method);
