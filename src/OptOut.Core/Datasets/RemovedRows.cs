namespace OptOut.Core.Datasets;

/// <summary>
/// The rows of one shard that break a rule: by row number (file order), by key (to filter the
/// parquet beside a tar, which lists the samples by key), and by the files and tar members the
/// reader matched to each row, so a clean copy leaves out exactly what the reader read for it. A
/// bit a row, so a shard of millions costs kilobytes.
/// </summary>
internal sealed class RemovedRows
{
    private ulong[] bits = new ulong[16];
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> files = new(StringComparer.Ordinal);
    private readonly HashSet<int> members = new();

    public IReadOnlySet<string> Keys => keys;

    /// <summary>Full paths of the removed samples' files (img2dataset shard folders, image folders).</summary>
    public IReadOnlySet<string> Files => files;

    /// <summary>Positions of the removed samples' tar members.</summary>
    public IReadOnlySet<int> TarMembers => members;

    /// <summary>How many rows were removed.</summary>
    public long Count { get; private set; }

    /// <summary>How many of the removed rows came with a local image.</summary>
    public long WithImage { get; private set; }

    public bool Contains(long row) => row >> 6 < bits.Length && (bits[row >> 6] & (1UL << (int)(row & 63))) != 0;

    internal void Add(long row, string? key, SourceRow? source)
    {
        long word = row >> 6;
        if (word >= bits.Length) Array.Resize(ref bits, (int)Math.Max(word + 1, bits.Length * 2L));
        if ((bits[word] & (1UL << (int)(row & 63))) == 0)
        {
            Count++;
            if (source?.ReadImage is not null) WithImage++;
        }
        bits[word] |= 1UL << (int)(row & 63);
        if (key is not null) keys.Add(key);
        if (source?.Files is { } sampleFiles) files.UnionWith(sampleFiles);
        if (source?.TarMembers is { } sampleMembers) members.UnionWith(sampleMembers);
    }
}
