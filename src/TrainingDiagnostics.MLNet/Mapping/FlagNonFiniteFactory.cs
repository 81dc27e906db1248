using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TrainingDiagnostics.MLNet.Internal;

namespace TrainingDiagnostics.MLNet.Mapping;

/// <summary>
/// The CustomMapping factory of <see cref="DiagnosticsCatalog.FlagNonFinite"/> for Single columns (Double columns have
/// <see cref="FlagNonFiniteDoubleFactory"/>), found by its contract name when a saved model is loaded. A loading context must
/// know this assembly: call <c>mlContext.Diagnostics()</c> (or
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(FlagNonFiniteFactory).Assembly)</c>) before <c>mlContext.Model.Load</c>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class FlagNonFiniteFactory : CustomMappingFactory<NonFiniteInput, NonFiniteOutput>
{
    /// <summary>The contract name saved in the model.</summary>
    public const string ContractName = "TrainingDiagnostics.FlagNonFinite";

    /// <summary>The mapping: counts NaN and infinite values of the row, as Single.</summary>
    /// <returns>The mapping action.</returns>
    public override Action<NonFiniteInput, NonFiniteOutput> GetMapping() => (input, output) => NonFiniteCounts.Fill(input.Values, output);
}
