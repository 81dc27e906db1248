namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>What happens to the training labels (the validation labels always stay true).</summary>
public enum LabelNoise
{
    /// <summary>The true labels.</summary>
    None,

    /// <summary>The training labels permuted among the training rows: each row gets another row's label.</summary>
    Shuffled,

    /// <summary>Each training row gets a class drawn uniformly at random, independent of its features.</summary>
    Random,
}
