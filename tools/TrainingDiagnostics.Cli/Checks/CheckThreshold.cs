namespace TrainingDiagnostics.Cli.Checks;

/// <summary>The verdict level at which <c>tdiag check</c> fails (<c>--fail-on</c>).</summary>
internal enum CheckThreshold
{
    /// <summary>Fail on a run with any warning or critical finding (verdict Warnings or Failed).</summary>
    Warning,

    /// <summary>Fail only on a run with a critical finding (verdict Failed). The default.</summary>
    Critical,
}
