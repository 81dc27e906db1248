namespace TrainingDiagnostics.Cli.Checks;

/// <summary>How <c>tdiag check</c> prints its result (<c>--format</c>).</summary>
internal enum CheckFormat
{
    /// <summary>Lines for a person: one verdict per log, its findings and remedies.</summary>
    Text,

    /// <summary>One JSON document (<see cref="CheckJsonWriter"/>): every verdict and finding, for a program.</summary>
    Json,

    /// <summary>GitHub Actions workflow commands (<see cref="GitHubAnnotations"/>): one annotation per finding.</summary>
    GitHub,
}
