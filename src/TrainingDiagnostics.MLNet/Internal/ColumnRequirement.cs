using Microsoft.ML;
using Microsoft.ML.Data;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// What a stage needs of one input column: its role in the errors, the expected type as the errors write it, the test, and the
/// advice given when the test fails. Every requirement of this project is listed here, once; <see cref="ColumnChecks"/>
/// applies it to a full schema (in <c>Fit</c>) and to a <see cref="SchemaShape"/> (in <c>GetOutputSchema</c>).
/// </summary>
internal sealed class ColumnRequirement
{
    private const string FloatingPoint = "Single or Double, or a vector of them";
    private const string ConvertToFloatingPoint =
        "Convert it with mlContext.Transforms.Conversion.ConvertType(outputColumnName, inputColumnName, DataKind.Double) (or DataKind.Single).";

    private readonly Func<ColumnTypeShape, bool> _accepts;
    private readonly Func<ColumnTypeShape, string> _advice;

    private ColumnRequirement(string role, string expected, Func<ColumnTypeShape, bool> accepts, Func<ColumnTypeShape, string> advice)
    {
        Role = role;
        Expected = expected;
        _accepts = accepts;
        _advice = advice;
    }

    /// <summary>The input of FlagNonFinite: Single or Double, scalar or vector.</summary>
    public static ColumnRequirement FlagNonFiniteInput { get; } = FloatingPointColumn("FlagNonFinite input");

    /// <summary>The input of PointwiseDerivatives: Single or Double, scalar or vector.</summary>
    public static ColumnRequirement PointwiseInput { get; } = FloatingPointColumn("PointwiseDerivatives input");

    /// <summary>A column ProfileData profiles: Single or Double, scalar or vector.</summary>
    public static ColumnRequirement Profiled { get; } = FloatingPointColumn("profiled");

    /// <summary>The features of the TorchSharp module trainer and transformer: a Single vector of known size.</summary>
    public static ColumnRequirement Features { get; } = KnownSizeSingleVector("feature");

    /// <summary>The features of the trainer's validation set.</summary>
    public static ColumnRequirement ValidationFeatures { get; } = KnownSizeSingleVector("validation feature");

    /// <summary>How the column is named in the errors, for example "feature" or "FlagNonFinite input".</summary>
    public string Role { get; }

    /// <summary>The expected type as the errors write it.</summary>
    public string Expected { get; }

    /// <summary>The label the trainer needs for <paramref name="task"/>.</summary>
    public static ColumnRequirement Label(TorchModuleTask task) => task switch
    {
        TorchModuleTask.BinaryClassification => new(
            $"{task} label",
            "Boolean",
            t => t.IsScalar && !t.IsKey && t.Item == BooleanDataViewType.Instance,
            _ => "Load the label as bool, or map it with mlContext.Transforms.CustomMapping or Conversion.ConvertType to Boolean."),
        TorchModuleTask.MulticlassClassification => new(
            $"{task} label",
            "Key<UInt32> with a known count of classes",
            t => t.IsScalar && t.IsKey && t.Item == NumberDataViewType.UInt32 && t.KeyCount is null or > 0,
            _ => "Map the label to a key with mlContext.Transforms.Conversion.MapValueToKey (the trainer needs the count of classes)."),
        _ => new(
            $"{task} label",
            "Single",
            t => t.IsScalar && !t.IsKey && t.Item == NumberDataViewType.Single,
            _ => "Convert it with mlContext.Transforms.Conversion.ConvertType(..., DataKind.Single)."),
    };

    public bool Accepts(ColumnTypeShape type) => _accepts(type);

    public string Advice(ColumnTypeShape type) => _advice(type);

    private static ColumnRequirement FloatingPointColumn(string role) => new(role, FloatingPoint, t => t.IsFloatingPoint, _ => ConvertToFloatingPoint);

    private static ColumnRequirement KnownSizeSingleVector(string role) => new(
        role,
        "Vector<Single> of known size",
        t => t.Kind == SchemaShape.Column.VectorKind.Vector && !t.IsKey && t.Item == NumberDataViewType.Single,
        t => t.Kind == SchemaShape.Column.VectorKind.VariableVector && !t.IsKey && t.Item == NumberDataViewType.Single
            ? "The module's input layer needs a fixed number of features: give the loader the vector's size (for example LoadColumn(0, 63) or " +
              "[VectorType(64)]), or pad the vectors to one size."
            : "Concatenate numeric columns into one with mlContext.Transforms.Concatenate, and convert them to Single with mlContext.Transforms.Conversion.ConvertType.");
}
