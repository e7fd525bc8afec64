using System.Buffers.Binary;

namespace OptOut.Core.Reservations;

/// <summary>
/// Puts an XMP packet into a TIFF's first IFD as tag 700 (XMP, BYTE). Nothing already in the file
/// moves: the packet and a copy of IFD0 with the tag added (or pointing at the new packet) are
/// appended, and the header's first-IFD offset points at the copy. The old IFD0 stays as unreferenced
/// bytes and an old packet is blanked in place; strips, tiles, sub-IFDs and every other offset keep
/// their meaning.
/// </summary>
internal static class TiffXmpEmbedder
{
    private const ushort XmpTag = 700;
    private const ushort ByteType = 1;

    public static byte[]? ExistingPacket(ReadOnlySpan<byte> file)
    {
        var (_, entries, _) = FirstIfd(file);
        foreach (var entry in entries)
        {
            if (entry.Tag != XmpTag) continue;
            if (entry.Count > int.MaxValue || (long)entry.ValueOffset + entry.Count > file.Length) throw Damaged("its XMP tag points past the end of the file");
            return entry.Count <= 4 ? null : file.Slice((int)entry.ValueOffset, (int)entry.Count).ToArray();
        }
        return null;
    }

    public static byte[] Embed(ReadOnlySpan<byte> file, byte[] packet)
    {
        var (little, entries, nextIfd) = FirstIfd(file);
        var kept = entries.Where(e => e.Tag != XmpTag).ToList();

        // Appended at a word boundary, as TIFF asks of offsets: the packet, then the new IFD0.
        long packetAt = Align(file.Length);
        long ifdAt = Align(packetAt + packet.Length);
        var count = kept.Count + 1;
        var total = ifdAt + 2 + count * 12 + 4;
        if (total > uint.MaxValue) throw new ReservationWriteException("The TIFF would grow past 4 GiB, which classic TIFF cannot address.");

        var output = new byte[total];
        file.CopyTo(output);
        // The old packet is blanked where it lies (spaces, XML's own padding): nothing references it any
        // more, and a reader that scans the bytes (as the gate's does for TIFF) must not find a stale value.
        foreach (var old in entries)
        {
            if (old.Tag == XmpTag && old.Count > 4 && (long)old.ValueOffset + old.Count <= file.Length)
            {
                output.AsSpan((int)old.ValueOffset, (int)old.Count).Fill((byte)' ');
            }
        }
        packet.CopyTo(output, packetAt);
        var ifd = output.AsSpan((int)ifdAt);
        WriteUInt16(ifd, (ushort)count, little);
        var at = 2;
        // IFD entries are sorted by tag; the XMP entry takes its place among them.
        foreach (var entry in kept.Append(new IfdEntry(XmpTag, ByteType, (uint)packet.Length, (uint)packetAt, [])).OrderBy(e => e.Tag))
        {
            WriteUInt16(ifd[at..], entry.Tag, little);
            WriteUInt16(ifd[(at + 2)..], entry.Type, little);
            WriteUInt32(ifd[(at + 4)..], entry.Count, little);
            if (entry.Tag == XmpTag) WriteUInt32(ifd[(at + 8)..], entry.ValueOffset, little);
            else entry.Raw.CopyTo(ifd[(at + 8)..]); // the value or its offset, exactly as it was
            at += 12;
        }
        WriteUInt32(ifd[at..], nextIfd, little);
        WriteUInt32(output.AsSpan(4), (uint)ifdAt, little);
        return output;
    }

    private readonly record struct IfdEntry(ushort Tag, ushort Type, uint Count, uint ValueOffset, byte[] Raw);

    private static (bool Little, List<IfdEntry> Entries, uint NextIfd) FirstIfd(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8) throw Damaged("it is shorter than its header");
        bool little = file.StartsWith("II"u8);
        if (!little && !file.StartsWith("MM"u8)) throw new ReservationWriteException("Not a TIFF file (no II/MM byte order).");
        var magic = ReadUInt16(file[2..], little);
        if (magic == 43) throw new ReservationWriteException("The file is a BigTIFF; OptOut writes classic TIFF only.");
        if (magic != 42) throw new ReservationWriteException("Not a TIFF file (its magic number is not 42).");
        var offset = ReadUInt32(file[4..], little);
        if (offset < 8 || offset + 2L > file.Length) throw Damaged("its first IFD lies outside the file");
        var count = ReadUInt16(file[(int)offset..], little);
        if (count == 0 || offset + 2L + count * 12L + 4 > file.Length) throw Damaged("its first IFD runs past the end of the file");
        var entries = new List<IfdEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var e = file.Slice((int)offset + 2 + i * 12, 12);
            entries.Add(new IfdEntry(ReadUInt16(e, little), ReadUInt16(e[2..], little), ReadUInt32(e[4..], little), ReadUInt32(e[8..], little), e[8..].ToArray()));
        }
        return (little, entries, ReadUInt32(file[((int)offset + 2 + count * 12)..], little));
    }

    private static long Align(long offset) => (offset + 1) & ~1L;

    private static ReservationWriteException Damaged(string why) => new($"The TIFF is damaged or truncated: {why}.");

    private static ushort ReadUInt16(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint ReadUInt32(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static void WriteUInt16(Span<byte> b, ushort v, bool little)
    {
        if (little) BinaryPrimitives.WriteUInt16LittleEndian(b, v); else BinaryPrimitives.WriteUInt16BigEndian(b, v);
    }

    private static void WriteUInt32(Span<byte> b, uint v, bool little)
    {
        if (little) BinaryPrimitives.WriteUInt32LittleEndian(b, v); else BinaryPrimitives.WriteUInt32BigEndian(b, v);
    }
}
