namespace OptOut.Core.Index;

/// <summary>How a <see cref="VectorIndex"/> finds the nearest embeddings.</summary>
internal enum VectorSearchKind
{
    /// <summary>Every vector compared (<see cref="ExactVectorScan"/>): small indexes, or where USearch is unavailable.</summary>
    Exact,

    /// <summary>An HNSW graph (USearch), approximate.</summary>
    Hnsw,
}
