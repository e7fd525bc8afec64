using System.Runtime.InteropServices;

namespace OptOut.Core.Index;

/// <summary>
/// The index's embeddings as one flat file beside the database (<c>index.db.vectors</c>): a 16-byte
/// header (magic, dimensions) and then one IEEE half-float vector after another; a row of the
/// index holds its vector's position. SQLite stays the source of truth for how many vectors are
/// committed (meta 'vectors', written in the shard's transaction): a shard's vectors are appended
/// and flushed to disk before that transaction commits, and whatever lies past the committed
/// count (an import killed or failed midway) is cut off by the next writer. Kept out of the rows
/// table because a million 1 KiB blobs there are written twice (WAL, then checkpoint) and make
/// every index build and caption scan read a table four times larger (docs/index-benchmarks.md).
/// </summary>
internal sealed class VectorFile : IDisposable
{
    private const int HeaderBytes = 16;
    private static readonly byte[] Magic = "OOVEC\0\0\u0001"u8.ToArray();

    private readonly FileStream stream;
    private readonly int recordBytes;

    private VectorFile(string path, FileStream stream, int dimensions, long count)
    {
        Path = path;
        this.stream = stream;
        Dimensions = dimensions;
        recordBytes = dimensions * 2;
        Count = count;
    }

    public static string PathFor(string indexPath) => indexPath + ".vectors";

    public string Path { get; }
    public int Dimensions { get; }

    /// <summary>Vectors in the file, the committed ones plus those appended since it was opened.</summary>
    public long Count { get; private set; }

    /// <summary>
    /// Opens the file to append after <paramref name="committed"/> vectors, creating it when the
    /// index has none yet and cutting off anything past them. Call inside the write transaction,
    /// so no other writer appends at the same time.
    /// </summary>
    public static VectorFile OpenForAppend(string path, int dimensions, long committed)
    {
        RefuseBigEndian();
        FileStream stream;
        try
        {
            // Created only when nothing committed points into it: a lost file is not silently replaced.
            stream = new FileStream(path, committed == 0 ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1 << 20);
        }
        catch (FileNotFoundException)
        {
            throw Missing(path, committed);
        }
        try
        {
            if (committed == 0)
            {
                // Nothing committed points into the file: whatever is there (a killed first import,
                // the file of an index since deleted) is dropped.
                stream.SetLength(0);
                stream.Write(Header(dimensions));
            }
            else
            {
                if (stream.Length == 0) throw Missing(path, committed);
                CheckHeader(stream, path, dimensions);
            }
            long length = HeaderBytes + committed * dimensions * 2L;
            if (stream.Length < length) throw Missing(path, committed);
            if (stream.Length > length) stream.SetLength(length);
            stream.Position = length;
            return new VectorFile(path, stream, dimensions, committed);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file to read the first <paramref name="committed"/> vectors (what this reader's snapshot of the index refers to).</summary>
    public static VectorFile OpenForRead(string path, int dimensions, long committed)
    {
        RefuseBigEndian();
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            throw Missing(path, committed);
        }
        try
        {
            CheckHeader(stream, path, dimensions);
            if (stream.Length < HeaderBytes + committed * dimensions * 2L) throw Missing(path, committed);
            return new VectorFile(path, stream, dimensions, committed);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one vector and returns its position.</summary>
    public long Append(ReadOnlySpan<Half> vector)
    {
        if (vector.Length != Dimensions) throw new ArgumentException($"A vector of {vector.Length} dimensions in a file of {Dimensions}.", nameof(vector));
        stream.Write(MemoryMarshal.AsBytes(vector));
        return Count++;
    }

    /// <summary>Writes everything appended through to the disk: called before the transaction that refers to it commits.</summary>
    public void FlushToDisk() => stream.Flush(flushToDisk: true);

    /// <summary>Reads the vector at <paramref name="position"/> into <paramref name="destination"/>.</summary>
    public void Read(long position, Span<Half> destination)
    {
        if ((ulong)position >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(position), $"{Path} holds {Count} vectors, not one at {position}.");
        var bytes = MemoryMarshal.AsBytes(destination[..Dimensions]);
        // Through the stream's buffer: reads in position order (a cache rebuild, a scan) are then
        // one system call per 64 KiB rather than one per vector.
        long offset = HeaderBytes + position * recordBytes;
        if (stream.Position != offset) stream.Position = offset;
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{Path} ends inside vector {position}.", e);
        }
    }

    public Half[] Read(long position)
    {
        var vector = new Half[Dimensions];
        Read(position, vector);
        return vector;
    }

    // The file is little-endian (header and halves), written and read as memory: a big-endian host
    // would read another machine's file as garbage, so it is refused rather than misread.
    private static void RefuseBigEndian()
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The index's vector file is little-endian; this machine is big-endian.");
    }

    private static byte[] Header(int dimensions)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BitConverter.TryWriteBytes(header.AsSpan(8), dimensions);
        return header;
    }

    private static void CheckHeader(FileStream stream, string path, int dimensions)
    {
        var header = new byte[HeaderBytes];
        stream.Position = 0;
        if (stream.Read(header) != HeaderBytes || !header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not an OptOut vector file.");
        }
        int stored = BitConverter.ToInt32(header, 8);
        if (stored != dimensions)
        {
            throw new InvalidDataException($"{path} holds {stored}-dimensional vectors but the index says {dimensions}.");
        }
    }

    private static InvalidDataException Missing(string path, long committed) =>
        new($"The index refers to {committed:N0} embeddings in {path}, but that file is missing or shorter. " +
            "It belongs beside the index file; restore it with the index, or import the embedding datasets into a new index.");

    public void Dispose() => stream.Dispose();
}
