using System.Buffers.Binary;

namespace OptOut.Core.Imaging;

/// <summary>
/// ImageSharp 2.1 decodes truncated JPEG, GIF, WebP and BMP files without complaint, filling the
/// missing part with black; a fingerprint of half a picture would then be stored as if it were
/// whole. These checks read each format's own framing to tell a complete file from a cut one.
/// </summary>
public static class CompletenessCheck
{
    /// <summary>Why the file is incomplete, or null when its framing is whole.</summary>
    public static string? FindProblem(ReadOnlySpan<byte> content, string format) => format switch
    {
        "JPEG" => CheckJpeg(content),
        "GIF" => content.Length > 0 && content[^1] == 0x3B ? null : "the GIF trailer is missing (the file is truncated)",
        "WEBP" => CheckWebp(content),
        "BMP" => CheckBmp(content),
        _ => null,  // PNG (IEND, CRCs) and TIFF (offsets) are checked by the decoder itself.
    };

    // The entropy-coded data after the first start-of-scan must be closed by an end-of-image marker.
    // Markers before the scan are walked by their lengths, so an EXIF thumbnail's own end marker
    // (inside APP1) does not count.
    private static string? CheckJpeg(ReadOnlySpan<byte> content)
    {
        int position = 2;  // after SOI
        while (position + 4 <= content.Length)
        {
            if (content[position] != 0xFF)
            {
                return "a JPEG segment marker is missing (the file is corrupt)";
            }
            byte marker = content[position + 1];
            if (marker == 0xFF)
            {
                position++;  // fill byte
                continue;
            }
            if (marker is 0xD8 or (>= 0xD0 and <= 0xD7) or 0x01)
            {
                position += 2;  // markers without a length
                continue;
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(content[(position + 2)..]);
            if (marker == 0xDA)
            {
                return content[(position + 2)..].IndexOf([(byte)0xFF, (byte)0xD9]) >= 0
                    ? null
                    : "the JPEG end-of-image marker is missing (the file is truncated)";
            }
            position += 2 + length;
        }
        return "the JPEG has no image scan (the file is truncated)";
    }

    private static string? CheckWebp(ReadOnlySpan<byte> content)
    {
        if (content.Length < 12) return "the WebP header is incomplete";
        long declared = BinaryPrimitives.ReadUInt32LittleEndian(content[4..]) + 8L;
        return content.Length < declared
            ? $"the WebP file declares {declared:N0} bytes but has {content.Length:N0} (the file is truncated)"
            : null;
    }

    private static string? CheckBmp(ReadOnlySpan<byte> content)
    {
        if (content.Length < 34) return "the BMP header is incomplete";
        long declaredSize = BinaryPrimitives.ReadUInt32LittleEndian(content[2..]);
        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(content[10..]);
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(content[14..]);
        long needed = declaredSize;
        if (headerSize >= 40)
        {
            long width = BinaryPrimitives.ReadInt32LittleEndian(content[18..]);
            long height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(content[22..]));
            int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(content[28..]);
            int compression = BinaryPrimitives.ReadInt32LittleEndian(content[30..]);
            if (compression is 0 or 3)  // uncompressed rows (BI_RGB, BI_BITFIELDS)
            {
                long rowBytes = (bitsPerPixel * width + 31) / 32 * 4;
                needed = Math.Max(needed, pixelOffset + rowBytes * height);
            }
        }
        return content.Length < needed
            ? $"the BMP needs {needed:N0} bytes but has {content.Length:N0} (the file is truncated)"
            : null;
    }
}
