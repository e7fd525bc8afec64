using System.Numerics;

namespace OptOut.Core.Index;

/// <summary>
/// Finds every stored hash within a Hamming radius without scanning all rows (multi-index hashing):
/// the 64 bits are split into four 16-bit chunks, each with a table from chunk value to rows. Two
/// hashes within distance R agree to within floor(R/4) bits on at least one chunk, so probing each
/// table with the chunk values that near the query's finds every candidate; candidates are then
/// checked on all 64 bits.
/// </summary>
internal sealed class PerceptualHashIndex
{
    private const int Chunks = 4;
    private const int ChunkValues = 1 << 16;

    private readonly long[] ids;
    private readonly ulong[] hashes;
    private readonly int[][] starts = new int[Chunks][];   // per chunk: offsets into rows, by chunk value
    private readonly int[][] rows = new int[Chunks][];     // per chunk: row positions grouped by chunk value

    public PerceptualHashIndex(IReadOnlyList<(long Id, ulong Hash)> entries)
    {
        ids = new long[entries.Count];
        hashes = new ulong[entries.Count];
        for (int i = 0; i < entries.Count; i++) (ids[i], hashes[i]) = entries[i];

        for (int c = 0; c < Chunks; c++)
        {
            // Counting sort by chunk value.
            var start = new int[ChunkValues + 1];
            foreach (var h in hashes) start[ChunkOf(h, c) + 1]++;
            for (int v = 0; v < ChunkValues; v++) start[v + 1] += start[v];
            var next = (int[])start.Clone();
            var grouped = new int[hashes.Length];
            for (int i = 0; i < hashes.Length; i++) grouped[next[ChunkOf(hashes[i], c)]++] = i;
            starts[c] = start;
            rows[c] = grouped;
        }
    }

    public int Count => ids.Length;

    public static PerceptualHashIndex Load(IndexStore store) => new(store.AllPerceptualHashes().ToList());

    /// <summary>Every row within <paramref name="radius"/> bits of the query, nearest first.</summary>
    public IReadOnlyList<(long Id, int Distance)> Search(ulong query, int radius)
    {
        if (radius < 0 || radius > 64) throw new ArgumentOutOfRangeException(nameof(radius));
        var found = new Dictionary<int, int>();
        int chunkRadius = radius / Chunks;
        var probes = NeighboursWithin(chunkRadius);
        for (int c = 0; c < Chunks; c++)
        {
            int value = ChunkOf(query, c);
            foreach (var flip in probes)
            {
                int probe = value ^ flip;
                for (int k = starts[c][probe]; k < starts[c][probe + 1]; k++)
                {
                    int row = rows[c][k];
                    if (found.ContainsKey(row)) continue;
                    int distance = BitOperations.PopCount(hashes[row] ^ query);
                    if (distance <= radius) found[row] = distance;
                }
            }
        }
        return found.OrderBy(f => f.Value).ThenBy(f => ids[f.Key]).Select(f => (ids[f.Key], f.Value)).ToList();
    }

    private static int ChunkOf(ulong hash, int chunk) => (int)((hash >> (16 * chunk)) & 0xFFFF);

    // All 16-bit masks with at most r bits set.
    private static List<int> NeighboursWithin(int r)
    {
        var masks = new List<int>();
        for (int mask = 0; mask < ChunkValues; mask++)
        {
            if (BitOperations.PopCount((uint)mask) <= r) masks.Add(mask);
        }
        return masks;
    }
}
