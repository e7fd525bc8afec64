using System.Buffers.Binary;

namespace OptOut.Core.Reservations;

/// <summary>
/// Puts an XMP packet into a PNG's <c>iTXt</c> chunk with the keyword <c>XML:com.adobe.xmp</c>
/// (uncompressed, as the XMP specification asks). Every other chunk is copied as it is; each chunk's CRC
/// is checked first.
/// </summary>
internal static class PngXmpEmbedder
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> XmpKeyword => "XML:com.adobe.xmp"u8;
    private static ReadOnlySpan<byte> RawProfileKeyword => "Raw profile type xmp"u8;

    /// <summary>The file's XMP packet as the gate's reader finds it (iTXt, compressed iTXt, or ImageMagick's raw profile).</summary>
    public static byte[]? ExistingPacket(ReadOnlySpan<byte> file)
    {
        Chunks(file); // refuses a damaged file before anything is read from it
        var blocks = new List<Signals.MetadataBlock>();
        Signals.PngMetadata.Find(file, blocks);
        return blocks.FirstOrDefault(b => b.Kind == Signals.MetadataKind.Xmp)?.Data;
    }

    /// <summary>
    /// The file with one XMP iTXt chunk holding <paramref name="packet"/>, where the first XMP chunk
    /// stood (after IHDR when there was none). Every other chunk that carried XMP (a second iTXt,
    /// ImageMagick's "Raw profile type xmp") goes, so readers find one packet, not an old one beside it.
    /// </summary>
    public static byte[] Embed(ReadOnlySpan<byte> file, byte[] packet)
    {
        var chunks = Chunks(file);
        var first = chunks.FindIndex(c => c.IsXmp);
        var insertAt = first >= 0 ? first : 1;

        // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, text.
        var data = new byte[XmpKeyword.Length + 5 + packet.Length];
        XmpKeyword.CopyTo(data);
        packet.CopyTo(data, XmpKeyword.Length + 5);
        using var output = new MemoryStream(file.Length + data.Length + 12);
        output.Write(file[..chunks[0].Start]);
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == insertAt) WriteChunk(output, "iTXt"u8, data);
            if (!chunks[i].IsXmp) output.Write(file.Slice(chunks[i].Start, 12 + chunks[i].Length));
        }
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, byte[] data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(field, (uint)data.Length);
        output.Write(field);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, PngCrc32.Compute(type, data));
        output.Write(field);
    }

    private readonly record struct Chunk(int Start, int Length, bool IsXmp);

    /// <summary>Every chunk from IHDR to IEND, CRCs checked; a damaged or truncated file is refused.</summary>
    private static List<Chunk> Chunks(ReadOnlySpan<byte> file)
    {
        if (!file.StartsWith(Signature)) throw new ReservationWriteException("Not a PNG file (no PNG signature).");
        var chunks = new List<Chunk>();
        var pos = Signature.Length;
        while (true)
        {
            if (pos + 12 > file.Length) throw new ReservationWriteException("The PNG ends before its IEND chunk: the file is damaged or truncated.");
            var length = BinaryPrimitives.ReadUInt32BigEndian(file.Slice(pos, 4));
            if (length > int.MaxValue || pos + 12 + (long)length > file.Length) throw new ReservationWriteException("A PNG chunk runs past the end of the file: the file is damaged or truncated.");
            var type = file.Slice(pos + 4, 4);
            var stored = BinaryPrimitives.ReadUInt32BigEndian(file.Slice(pos + 8 + (int)length, 4));
            if (PngCrc32.Compute(file.Slice(pos + 4, 4 + (int)length)) != stored)
            {
                throw new ReservationWriteException($"The PNG chunk '{System.Text.Encoding.ASCII.GetString(type)}' at byte {pos:N0} fails its CRC: the file is damaged.");
            }
            if (chunks.Count == 0 && !type.SequenceEqual("IHDR"u8)) throw new ReservationWriteException("The PNG does not start with IHDR: the file is damaged.");
            var data = file.Slice(pos + 8, (int)length);
            var isText = type.SequenceEqual("iTXt"u8) || type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8);
            var isXmp = isText && (HasKeyword(data, XmpKeyword) || HasKeyword(data, RawProfileKeyword));
            chunks.Add(new Chunk(pos, (int)length, isXmp));
            pos += 12 + (int)length;
            if (type.SequenceEqual("IEND"u8)) return chunks;
        }
    }

    private static bool HasKeyword(ReadOnlySpan<byte> data, ReadOnlySpan<byte> keyword) =>
        data.Length > keyword.Length && data.StartsWith(keyword) && data[keyword.Length] == 0;
}
