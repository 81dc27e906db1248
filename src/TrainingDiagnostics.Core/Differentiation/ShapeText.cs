namespace TrainingDiagnostics.Differentiation;

/// <summary>Formats tensor shapes the way error messages print them: <c>[3, 4]</c>, <c>[]</c> for a scalar.</summary>
internal static class ShapeText
{
    public static string Of(long[] shape) => "[" + string.Join(", ", shape) + "]";

    public static string Of(TorchSharp.torch.Tensor tensor) => Of(tensor.shape);

    public static long[] Concat(long[] first, long[] second)
    {
        var all = new long[first.Length + second.Length];
        first.CopyTo(all, 0);
        second.CopyTo(all, first.Length);
        return all;
    }

    public static bool Equal(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);
}
