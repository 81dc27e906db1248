using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TrainingDiagnostics.MLNet.Internal;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>
/// The CustomMapping factory of <see cref="DiagnosticsCatalog.FlagNonFinite"/> for Double columns: the values are checked as
/// Double, so a finite value beyond Single's range (above about 3.4e38) is not flagged. Found by its contract name when a
/// saved model is loaded; a loading context must know this assembly, as for <see cref="FlagNonFiniteFactory"/>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class FlagNonFiniteDoubleFactory : CustomMappingFactory<NonFiniteDoubleInput, NonFiniteOutput>
{
    /// <summary>The contract name saved in the model.</summary>
    public const string ContractName = "TrainingDiagnostics.FlagNonFinite.Double";

    /// <summary>The mapping: counts NaN and infinite values of the row, as Double.</summary>
    /// <returns>The mapping action.</returns>
    public override Action<NonFiniteDoubleInput, NonFiniteOutput> GetMapping() => (input, output) => NonFiniteCounts.Fill(input.Values, output);
}
