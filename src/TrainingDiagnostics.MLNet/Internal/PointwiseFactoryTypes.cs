using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.ML.Transforms;
using TrainingDiagnostics.Kernels;
using TrainingDiagnostics.MLNet.Mapping;

namespace TrainingDiagnostics.MLNet.Internal;

/// <summary>
/// Generates, once per (function, order) and process, the sealed factory subclass that carries the contract name of a
/// PointwiseDerivatives stage: ML.NET finds CustomMapping factories by an attribute on a type, and saves nothing else.
/// </summary>
internal static class PointwiseFactoryTypes
{
    private static readonly ConcurrentDictionary<(Type, int), Type> Types = new();
    private static readonly Lazy<ModuleBuilder> Module = new(() =>
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("TrainingDiagnostics.MLNet.PointwiseFactories"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("PointwiseFactories"));

    /// <summary>The assembly of the factories generated so far in this process, or null before the first.</summary>
    public static System.Reflection.Assembly? GeneratedAssembly => Module.IsValueCreated ? Module.Value.Assembly : null;

    public static string ContractName(Type function, int order) => $"TrainingDiagnostics.PointwiseDerivatives/{order}/{function.FullName}";

    public static Type For<TFunction>(int order)
        where TFunction : struct, IUnaryFunction =>
        Types.GetOrAdd((typeof(TFunction), order), _ => Emit<TFunction>(order));

    private static Type Emit<TFunction>(int order)
        where TFunction : struct, IUnaryFunction
    {
        if (!typeof(TFunction).IsVisible)
        {
            throw new ArgumentException(
                $"PointwiseDerivatives needs a public function type, but {typeof(TFunction).FullName} is not public: " +
                "ML.NET finds the stage's factory by reflection when a model is loaded. Make the struct public.");
        }

        var baseType = typeof(PointwiseDerivativesFactory<TFunction>);
        string name = $"Pointwise_{order}_{typeof(TFunction).FullName!.Replace('.', '_').Replace('+', '_')}";
        lock (Module)
        {
            var type = Module.Value.DefineType(name, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, baseType);
            var attributeConstructor = typeof(CustomMappingFactoryAttributeAttribute).GetConstructor([typeof(string)])!;
            type.SetCustomAttribute(new CustomAttributeBuilder(attributeConstructor, [ContractName(typeof(TFunction), order)]));
            var baseConstructor = baseType.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(int)])!;
            var constructor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, Type.EmptyTypes);
            var il = constructor.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4, order);
            il.Emit(OpCodes.Call, baseConstructor);
            il.Emit(OpCodes.Ret);
            return type.CreateType();
        }
    }
}
