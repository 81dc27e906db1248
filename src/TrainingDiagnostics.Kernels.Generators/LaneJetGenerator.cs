using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TrainingDiagnostics.Kernels.Generators;

/// <summary>
/// Writes the body of every <c>[LaneJet(capacity)] partial struct</c> of TrainingDiagnostics.Kernels (the lane jets
/// <c>JetLanes</c>, <c>JetLanes4</c> and <c>JetLanes1</c>, which differ only in capacity) from one template,
/// <see cref="LaneJetTemplate"/>. The struct's own file keeps its documentation, its attributes and any specialization
/// (<c>JetLanes4</c>'s unrolled order 4).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LaneJetGenerator : IIncrementalGenerator
{
    private const string AttributeName = "TrainingDiagnostics.Kernels.Lanes.LaneJetAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(static output => output.AddSource("LaneJetAttribute.g.cs", LaneJetTemplate.Attribute));
        var jets = context.SyntaxProvider.ForAttributeWithMetadataName(
            AttributeName,
            static (node, _) => node is StructDeclarationSyntax,
            static (attributed, _) => Describe(attributed));
        context.RegisterSourceOutput(jets, static (output, jet) => output.AddSource(jet.Name + ".g.cs", LaneJetTemplate.Render(jet)));
    }

    private static LaneJetShape Describe(GeneratorAttributeSyntaxContext attributed)
    {
        var type = (INamedTypeSymbol)attributed.TargetSymbol;
        var attribute = attributed.Attributes.First();
        int capacity = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int c ? c : 0;
        bool unrolled = attribute.NamedArguments.Any(a => a.Key == "UnrollsFullOrder" && a.Value.Value is true);
        string ns = type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();
        return new LaneJetShape(ns, type.Name, capacity, unrolled);
    }
}
