using System.Buffers.Binary;

namespace OptOut.Core.Reservations;

/// <summary>
/// Puts an XMP packet into a WebP's <c>"XMP "</c> chunk, which only the extended layout has: a simple
/// file (one VP8 or VP8L chunk) gains a VP8X header with the canvas size read from its bitstream, and
/// the VP8X XMP flag is set. The packet replaces an existing XMP chunk where it stands, else it goes
/// last, where the container specification puts it. Image chunks are copied as they are.
/// </summary>
internal static class WebpXmpEmbedder
{
    private const byte XmpFlag = 0x04;
    private const byte AlphaFlag = 0x10;

    public static byte[]? ExistingPacket(ReadOnlySpan<byte> file)
    {
        foreach (var chunk in Chunks(file))
        {
            if (chunk.FourCc == "XMP ") return file.Slice(chunk.Start + 8, chunk.Size).ToArray();
        }
        return null;
    }

    public static byte[] Embed(ReadOnlySpan<byte> file, byte[] packet)
    {
        var chunks = Chunks(file);
        if (chunks.Count(c => c.FourCc == "XMP ") > 1) throw new ReservationWriteException("The WebP has more than one XMP chunk; OptOut does not choose between them.");
        using var body = new MemoryStream(file.Length + packet.Length + 32);
        if (chunks[0].FourCc != "VP8X")
        {
            body.Write(NewVp8x(file, chunks[0]));
        }
        var wroteXmp = false;
        foreach (var chunk in chunks)
        {
            // Written with its pad byte, which a writer may have left off the last chunk.
            var whole = file.Slice(chunk.Start, 8 + chunk.Size);
            if (chunk.FourCc == "VP8X")
            {
                var header = whole.ToArray();
                header[8] |= XmpFlag;
                body.Write(header);
                if ((chunk.Size & 1) != 0) body.WriteByte(0);
            }
            else if (chunk.FourCc == "XMP ")
            {
                WriteChunk(body, packet);
                wroteXmp = true;
            }
            else
            {
                body.Write(whole);
                if ((chunk.Size & 1) != 0) body.WriteByte(0);
            }
        }
        if (!wroteXmp) WriteChunk(body, packet);

        var output = new byte[12 + body.Length];
        "RIFF"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)(4 + body.Length));
        "WEBP"u8.CopyTo(output.AsSpan(8));
        body.ToArray().CopyTo(output, 12);
        return output;
    }

    /// <summary>
    /// True when <paramref name="written"/> holds the same image chunks as <paramref name="original"/>,
    /// byte for byte and in order: only the XMP chunk and the VP8X header may differ, and the header
    /// only by its XMP flag (or by being new). Used where the pixels cannot be decoded to compare.
    /// </summary>
    public static bool KeepsImageChunks(ReadOnlySpan<byte> original, ReadOnlySpan<byte> written)
    {
        var before = Chunks(original).Where(c => c.FourCc is not ("XMP " or "VP8X")).ToList();
        var after = Chunks(written).Where(c => c.FourCc is not ("XMP " or "VP8X")).ToList();
        if (before.Count != after.Count) return false;
        for (var i = 0; i < before.Count; i++)
        {
            if (!original.Slice(before[i].Start, 8 + before[i].Size).SequenceEqual(written.Slice(after[i].Start, 8 + after[i].Size))) return false;
        }
        var headerBefore = Chunks(original)[0];
        var headerAfter = Chunks(written)[0];
        if (headerBefore.FourCc != "VP8X") return headerAfter.FourCc == "VP8X";
        var a = original.Slice(headerBefore.Start, 8 + headerBefore.Size).ToArray();
        var b = written.Slice(headerAfter.Start, 8 + headerAfter.Size).ToArray();
        a[8] |= XmpFlag;
        return a.AsSpan().SequenceEqual(b);
    }

    private static void WriteChunk(Stream output, byte[] packet)
    {
        Span<byte> header = stackalloc byte[8];
        "XMP "u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)packet.Length);
        output.Write(header);
        output.Write(packet);
        if ((packet.Length & 1) != 0) output.WriteByte(0);
    }

    /// <summary>A VP8X chunk for a simple file: flags, then canvas width - 1 and height - 1 in 24 bits each.</summary>
    private static byte[] NewVp8x(ReadOnlySpan<byte> file, Chunk image)
    {
        var data = file.Slice(image.Start + 8, image.Size);
        int width, height;
        var flags = XmpFlag;
        if (image.FourCc == "VP8 ")
        {
            // Key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height (2 scale bits above each).
            if (data.Length < 10 || data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) throw new ReservationWriteException("The WebP's VP8 bitstream has no key-frame header: the file is damaged.");
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF;
        }
        else if (image.FourCc == "VP8L")
        {
            // Signature 0x2F, then 14 bits width - 1, 14 bits height - 1, 1 bit alpha used, 3 bits version.
            if (data.Length < 5 || data[0] != 0x2F) throw new ReservationWriteException("The WebP's VP8L bitstream has no signature: the file is damaged.");
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
            if (((bits >> 28) & 1) != 0) flags |= AlphaFlag;
        }
        else
        {
            throw new ReservationWriteException($"The WebP starts with a '{image.FourCc}' chunk, not VP8X, VP8 or VP8L: OptOut does not rewrite it.");
        }
        if (width == 0 || height == 0) throw new ReservationWriteException("The WebP's bitstream gives a zero canvas size: the file is damaged.");

        var chunk = new byte[18];
        "VP8X"u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), 10);
        chunk[8] = flags;
        WriteUInt24(chunk.AsSpan(12), width - 1);
        WriteUInt24(chunk.AsSpan(15), height - 1);
        return chunk;
    }

    private static void WriteUInt24(Span<byte> into, int value)
    {
        into[0] = (byte)value;
        into[1] = (byte)(value >> 8);
        into[2] = (byte)(value >> 16);
    }

    private readonly record struct Chunk(int Start, string FourCc, int Size);

    /// <summary>Every chunk of the RIFF body; a size that does not add up to the file is refused.</summary>
    private static List<Chunk> Chunks(ReadOnlySpan<byte> file)
    {
        if (file.Length < 20 || !file.StartsWith("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WEBP"u8)) throw new ReservationWriteException("Not a WebP file (no RIFF WEBP header).");
        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(file[4..]);
        if (riffEnd > file.Length) throw new ReservationWriteException("The WebP's RIFF size runs past the end of the file: the file is truncated.");
        if (riffEnd < file.Length) throw new ReservationWriteException("The WebP has bytes after its RIFF container; OptOut does not rewrite it.");
        var chunks = new List<Chunk>();
        var pos = 12L;
        while (pos < riffEnd)
        {
            if (pos + 8 > riffEnd) throw new ReservationWriteException("A WebP chunk header is cut short: the file is damaged.");
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[((int)pos + 4)..]);
            if (pos + 8 + size > riffEnd) throw new ReservationWriteException("A WebP chunk runs past the end of the container: the file is damaged or truncated.");
            chunks.Add(new Chunk((int)pos, System.Text.Encoding.ASCII.GetString(file.Slice((int)pos, 4)), (int)size));
            pos += 8 + size + (size & 1);
        }
        if (chunks.Count == 0) throw new ReservationWriteException("The WebP holds no chunk.");
        return chunks;
    }
}
