namespace TrainingDiagnostics.TestSupport.SilentFaults;

/// <summary>The real datasets the silent-fault benchmark trains on (UCI; see <c>SilentFaults/Data/README.md</c>).</summary>
public enum SilentDataset
{
    /// <summary>1797 handwritten digits, 8x8 pixel counts scaled to 0..1, 10 classes.</summary>
    Digits,

    /// <summary>178 wines, 13 chemical measurements in their own units (about 0.1 to 1500), 3 cultivars.</summary>
    Wine,

    /// <summary>150 irises, 4 measurements in cm, 3 species.</summary>
    Iris,
}
