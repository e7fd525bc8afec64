using System.Buffers.Binary;

namespace OptOut.Core.Reservations;

/// <summary>
/// Puts an XMP packet into a JPEG's APP1 segment: the existing main packet's segment is replaced where
/// it stands, else a new segment goes after the leading JFIF/Exif segments. Every other byte (other
/// segments, Extended XMP, the scans) is copied as it is.
/// </summary>
internal static class JpegXmpEmbedder
{
    private static ReadOnlySpan<byte> XmpHeader => "http://ns.adobe.com/xap/1.0/\0"u8;

    // A segment's length field counts itself (2 bytes) and is 16 bits: 65,535 - 2 - the 29-byte header.
    public const int MaxPacketBytes = 65535 - 2 - 29;

    public static byte[]? ExistingPacket(ReadOnlySpan<byte> file)
    {
        var segments = Segments(file);
        var xmp = segments.Where(s => s.IsXmp).ToList();
        return xmp.Count == 0 ? null : file.Slice(xmp[0].Start + 4 + XmpHeader.Length, xmp[0].Length - 2 - XmpHeader.Length).ToArray();
    }

    public static byte[] Embed(ReadOnlySpan<byte> file, byte[] packet)
    {
        if (packet.Length > MaxPacketBytes)
        {
            throw new ReservationWriteException($"The XMP packet would be {packet.Length:N0} bytes, more than a JPEG segment holds ({MaxPacketBytes:N0}); OptOut does not split it into Extended XMP.");
        }
        var segments = Segments(file);
        var xmp = segments.Where(s => s.IsXmp).ToList();
        if (xmp.Count > 1) throw new ReservationWriteException("The JPEG has more than one main XMP segment; OptOut does not choose between them.");

        int cut, resume;
        if (xmp.Count == 1)
        {
            (cut, resume) = (xmp[0].Start, xmp[0].Start + 2 + xmp[0].Length);
        }
        else
        {
            // After SOI and the APP0 (JFIF) / APP1 (Exif) segments that lead the file, where readers expect XMP.
            cut = 2;
            foreach (var segment in segments)
            {
                if (segment.Marker is 0xE0 or 0xE1) cut = segment.Start + 2 + segment.Length;
                else break;
            }
            resume = cut;
        }

        var output = new byte[cut + 4 + XmpHeader.Length + packet.Length + (file.Length - resume)];
        file[..cut].CopyTo(output);
        var at = cut;
        output[at++] = 0xFF;
        output[at++] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(at), (ushort)(2 + XmpHeader.Length + packet.Length));
        at += 2;
        XmpHeader.CopyTo(output.AsSpan(at));
        at += XmpHeader.Length;
        packet.CopyTo(output, at);
        at += packet.Length;
        file[resume..].CopyTo(output.AsSpan(at));
        return output;
    }

    private readonly record struct Segment(int Start, byte Marker, int Length, bool IsXmp);

    /// <summary>The marker segments before the first scan; a damaged structure is refused, not guessed at.</summary>
    private static List<Segment> Segments(ReadOnlySpan<byte> file)
    {
        if (file.Length < 4 || file[0] != 0xFF || file[1] != 0xD8) throw new ReservationWriteException("Not a JPEG file (no SOI marker).");
        var segments = new List<Segment>();
        var pos = 2;
        while (true)
        {
            if (pos + 4 > file.Length) throw new ReservationWriteException("The JPEG ends before its first scan: the file is damaged or truncated.");
            if (file[pos] != 0xFF) throw new ReservationWriteException($"The JPEG's marker structure is damaged at byte {pos:N0}.");
            var marker = file[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker == 0xDA) return segments; // the scans follow: nothing after them is touched
            if (marker is 0xD8 or 0xD9 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                throw new ReservationWriteException($"The JPEG has an unexpected marker 0x{marker:X2} before its first scan: the file is damaged.");
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(file.Slice(pos + 2, 2));
            if (length < 2 || pos + 2 + length > file.Length) throw new ReservationWriteException("A JPEG segment runs past the end of the file: the file is damaged or truncated.");
            var isXmp = marker == 0xE1 && length - 2 >= XmpHeader.Length && file.Slice(pos + 4, XmpHeader.Length).SequenceEqual(XmpHeader);
            segments.Add(new Segment(pos, marker, length, isXmp));
            pos += 2 + length;
        }
    }
}
