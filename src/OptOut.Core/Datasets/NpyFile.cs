using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OptOut.Core.Datasets;

/// <summary>
/// Reads a 2-D NumPy .npy matrix of float16 or float32 rows (the clip-retrieval img_emb layout),
/// parsing the header instead of assuming it: magic, version 1-3, dtype, C order, shape.
/// </summary>
internal sealed partial class NpyFile : IDisposable
{
    private readonly Stream stream;

    private NpyFile(string path, Stream stream, long rows, int columns, int elementSize, long dataOffset)
    {
        Path = path;
        this.stream = stream;
        Rows = rows;
        Columns = columns;
        ElementSize = elementSize;
        DataOffset = dataOffset;
    }

    public string Path { get; }
    public long Rows { get; }
    public int Columns { get; }

    /// <summary>2 for float16, 4 for float32.</summary>
    public int ElementSize { get; }

    public long DataOffset { get; }

    public static NpyFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        try
        {
            var (rows, columns, elementSize, offset) = ReadHeader(stream, path);
            long expected = offset + rows * columns * (long)elementSize;
            if (stream.Length < expected)
            {
                throw new DatasetFormatException(path, $"the .npy header promises {rows:N0} x {columns} values ({expected:N0} bytes) but the file has {stream.Length:N0} bytes (truncated).");
            }
            stream.Position = offset;
            return new NpyFile(path, stream, rows, columns, elementSize, offset);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next row as half floats (float32 files are converted).</summary>
    public IEnumerable<Half[]> ReadRows()
    {
        var buffer = new byte[Columns * ElementSize];
        for (long r = 0; r < Rows; r++)
        {
            var row = new Half[Columns];
            if (ElementSize == 2 && BitConverter.IsLittleEndian)
            {
                // The file's little-endian halves are the row's bytes: read straight into it.
                stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
                yield return row;
                continue;
            }
            stream.ReadExactly(buffer);
            if (ElementSize == 2)
            {
                for (int c = 0; c < Columns; c++) row[c] = BinaryPrimitives.ReadHalfLittleEndian(buffer.AsSpan(c * 2));
            }
            else
            {
                for (int c = 0; c < Columns; c++) row[c] = (Half)BinaryPrimitives.ReadSingleLittleEndian(buffer.AsSpan(c * 4));
            }
            yield return row;
        }
    }

    private static (long Rows, int Columns, int ElementSize, long Offset) ReadHeader(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[10];
        if (stream.Read(prefix) < 10 || prefix[0] != 0x93 || !prefix.Slice(1, 5).SequenceEqual("NUMPY"u8))
        {
            throw new DatasetFormatException(path, "not a NumPy .npy file (magic bytes missing).");
        }
        int major = prefix[6];
        int headerLength;
        long offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
            offset = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            stream.ReadExactly(more);
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian([prefix[8], prefix[9], more[0], more[1]]);
            offset = 12;
        }
        else
        {
            throw new DatasetFormatException(path, $".npy format version {major} is not supported.");
        }
        if (headerLength <= 0 || headerLength > 1 << 20)
        {
            throw new DatasetFormatException(path, "the .npy header length is implausible.");
        }
        var header = new byte[headerLength];
        if (stream.Read(header) < headerLength) throw new DatasetFormatException(path, "the .npy header is truncated.");
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);

        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new DatasetFormatException(path, $"the .npy header cannot be parsed: {text.Trim()}");
        }
        int elementSize = descr.Groups[1].Value switch
        {
            "<f2" or "|f2" => 2,
            "<f4" => 4,
            var other => throw new DatasetFormatException(path, $"dtype '{other}' is not supported (float16 or float32, little-endian)."),
        };
        if (fortran.Groups[1].Value == "True")
        {
            throw new DatasetFormatException(path, "Fortran-ordered arrays are not supported (rows must be contiguous).");
        }
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length != 2)
        {
            throw new DatasetFormatException(path, $"expected a 2-D matrix (rows, dimensions), found shape ({shape.Groups[1].Value}).");
        }
        return (long.Parse(dims[0], CultureInfo.InvariantCulture), int.Parse(dims[1], CultureInfo.InvariantCulture), elementSize, offset + headerLength);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    /// <summary>
    /// Writes a copy without the rows <paramref name="isRemoved"/> names, so it stays aligned with a
    /// metadata parquet filtered the same way: same dtype, C order, shape (kept rows, columns).
    /// </summary>
    /// <returns>The number of rows written.</returns>
    public long CopyRowsTo(string destination, Func<long, bool> isRemoved)
    {
        long kept = 0;
        for (long r = 0; r < Rows; r++) if (!isRemoved(r)) kept++;
        var descr = ElementSize == 2 ? "<f2" : "<f4";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({kept.ToString(CultureInfo.InvariantCulture)}, {Columns.ToString(CultureInfo.InvariantCulture)}), }}";
        // Version 1 (16-bit header length), padded with spaces so the data starts on a 64-byte boundary.
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        output.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        output.Write(length);
        output.Write(Encoding.Latin1.GetBytes(header));

        stream.Position = DataOffset;
        var buffer = new byte[Columns * ElementSize];
        for (long r = 0; r < Rows; r++)
        {
            stream.ReadExactly(buffer);
            if (!isRemoved(r)) output.Write(buffer);
        }
        return kept;
    }

    public void Dispose() => stream.Dispose();
}
