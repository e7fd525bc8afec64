namespace OptOut.Core.Reservations;

/// <summary>
/// Puts an XMP packet into a GIF's "XMP DataXMP" application extension (XMP specification part 3):
/// the packet's bytes as they are, then the 258-byte "magic trailer" that lets a GIF reader skip them as
/// sub-blocks. The existing XMP extension is replaced where it stands, else the new one follows the
/// global colour table. GIF87a files become GIF89a, the version that has extensions; every image block
/// is copied as it is.
/// </summary>
internal static class GifXmpEmbedder
{
    private static ReadOnlySpan<byte> XmpApplication => "XMP DataXMP"u8;

    public static byte[]? ExistingPacket(ReadOnlySpan<byte> file)
    {
        foreach (var block in Blocks(file))
        {
            if (block.IsXmp) return file.Slice(block.Start + 14, block.Length - 14 - 258).ToArray();
        }
        return null;
    }

    public static byte[] Embed(ReadOnlySpan<byte> file, byte[] packet)
    {
        if (packet.AsSpan().IndexOf((byte)0) >= 0) throw new ReservationWriteException("The XMP packet holds a NUL byte, which a GIF XMP extension cannot carry.");
        var blocks = Blocks(file);
        var xmp = blocks.Where(b => b.IsXmp).ToList();
        if (xmp.Count > 1) throw new ReservationWriteException("The GIF has more than one XMP extension; OptOut does not choose between them.");
        var (cut, resume) = xmp.Count == 1 ? (xmp[0].Start, xmp[0].Start + xmp[0].Length) : (blocks[0].Start, blocks[0].Start);

        using var output = new MemoryStream(file.Length + packet.Length + 300);
        output.Write(file[..cut]);
        output.Write([0x21, 0xFF, 0x0B]);
        output.Write(XmpApplication);
        output.Write(packet);
        output.WriteByte(0x01);
        for (var b = 0xFF; b >= 0x00; b--) output.WriteByte((byte)b);
        output.WriteByte(0x00);
        output.Write(file[resume..]);
        var bytes = output.ToArray();
        bytes[4] = (byte)'9'; // GIF87a -> GIF89a
        return bytes;
    }

    private readonly record struct Block(int Start, int Length, bool IsXmp);

    /// <summary>The blocks after the header and global colour table, up to the trailer; a damaged file is refused.</summary>
    private static List<Block> Blocks(ReadOnlySpan<byte> file)
    {
        if (file.Length < 13 || !(file.StartsWith("GIF87a"u8) || file.StartsWith("GIF89a"u8))) throw new ReservationWriteException("Not a GIF file (no GIF87a/GIF89a header).");
        var pos = 13;
        if ((file[10] & 0x80) != 0) pos += 3 << ((file[10] & 0x07) + 1);
        var blocks = new List<Block>();
        while (true)
        {
            if (pos >= file.Length) throw new ReservationWriteException("The GIF ends before its trailer: the file is damaged or truncated.");
            var start = pos;
            switch (file[pos])
            {
                case 0x3B:
                    blocks.Add(new Block(start, 1, false));
                    return blocks;
                case 0x21:
                    if (pos + 2 > file.Length) throw Truncated();
                    var isXmp = file[pos + 1] == 0xFF && pos + 14 <= file.Length && file[pos + 2] == 0x0B && file.Slice(pos + 3, 11).SequenceEqual(XmpApplication);
                    pos = isXmp ? SkipXmp(file, pos + 14) : SkipSubBlocks(file, pos + 2);
                    blocks.Add(new Block(start, pos - start, isXmp));
                    break;
                case 0x2C:
                    if (pos + 10 > file.Length) throw Truncated();
                    var packed = file[pos + 9];
                    pos += 10;
                    if ((packed & 0x80) != 0) pos += 3 << ((packed & 0x07) + 1);
                    pos = SkipSubBlocks(file, pos + 1); // after the LZW minimum code size
                    blocks.Add(new Block(start, pos - start, false));
                    break;
                default:
                    throw new ReservationWriteException($"The GIF has an unknown block 0x{file[pos]:X2} at byte {pos:N0}: the file is damaged.");
            }
        }
    }

    private static int SkipSubBlocks(ReadOnlySpan<byte> file, int pos)
    {
        while (true)
        {
            if (pos >= file.Length) throw Truncated();
            var size = file[pos];
            pos += 1 + size;
            if (size == 0) return pos;
        }
    }

    // The packet runs until the magic trailer (0x01, 0xFF .. 0x00) and its terminator.
    private static int SkipXmp(ReadOnlySpan<byte> file, int pos)
    {
        Span<byte> trailer = stackalloc byte[258];
        trailer[0] = 0x01;
        for (var i = 0; i < 256; i++) trailer[1 + i] = (byte)(0xFF - i);
        trailer[257] = 0x00;
        var found = file[pos..].IndexOf(trailer);
        if (found < 0) throw new ReservationWriteException("The GIF's XMP extension has no magic trailer: the file is damaged.");
        return pos + found + 258;
    }

    private static ReservationWriteException Truncated() => new("The GIF ends inside a block: the file is damaged or truncated.");
}
