namespace TrainingDiagnostics.Cli.Demo;

/// <summary>
/// A training fault <c>tdiag demo --fault</c> can plant, each a classic way for training to go wrong. The first four
/// produce NaN or infinite values; the others are silent: training stays finite and ends badly.
/// </summary>
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

    /// <summary>fc1's bias is initialized far below zero: every ReLU after it outputs 0 for every image, and no gradient reaches fc1.</summary>
    DeadRelu,

    /// <summary>SGD with momentum at a learning rate about ten times too large: the loss swings up and down, finite, without settling.</summary>
    LrHigh,

    /// <summary>A learning rate 1000 times too small: the loss crawls.</summary>
    LrLow,

    /// <summary>A training set of 50 images for 200 epochs: the training loss falls to 0 while the held-out loss rises from its best.</summary>
    Overfit,

    /// <summary>fc1 is left out of the optimizer: it gets gradients but never changes, so only fc2 learns.</summary>
    Frozen,

    /// <summary>The pixels are not scaled: each column is multiplied by 1 to 10⁴ and shifted, so feature scales span four orders of magnitude.</summary>
    Unscaled,
}
