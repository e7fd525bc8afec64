namespace OptOut.Core.Embedding;

internal static class VectorMath
{
    public static void NormalizeInPlace(Span<float> vector)
    {
        double sum = 0;
        foreach (var v in vector) sum += (double)v * v;
        if (sum <= 0) return;
        float inverse = (float)(1.0 / Math.Sqrt(sum));
        for (int i = 0; i < vector.Length; i++) vector[i] *= inverse;
    }

    /// <summary>Cosine similarity of two L2-normalised vectors (their dot product).</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Vectors of different dimensions cannot be compared.");
        return System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
    }
}
