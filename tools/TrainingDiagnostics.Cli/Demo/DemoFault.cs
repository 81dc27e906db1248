namespace TrainingDiagnostics.Cli.Demo;

/// <summary>A training fault <c>tdiag demo --fault</c> can plant, each a classic way for training to go wrong.</summary>
internal enum DemoFault
{
    /// <summary>Healthy training.</summary>
    None,

    /// <summary>A BatchNorm1d layer after fc1 is fed a batch of one image in train mode (no batch variance to estimate).</summary>
    BatchNorm,

    /// <summary>After a calm start the learning rate is multiplied by 1000.</summary>
    Lr,

    /// <summary>One batch holds a NaN pixel.</summary>
    Data,

    /// <summary>A custom layer takes sqrt(x²) (|x|, written naively); a blank image makes its input exactly 0, and the backward pass of sqrt at 0 is NaN.</summary>
    Sqrt,
}
