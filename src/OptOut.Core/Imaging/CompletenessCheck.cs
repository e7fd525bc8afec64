using System.Buffers.Binary;

namespace OptOut.Core.Imaging;

/// <summary>
/// ImageSharp 2.1 decodes truncated JPEG, GIF, WebP and BMP files (and PNGs whose pixel data is
/// short) without complaint, filling the
/// missing part with black; a fingerprint of half a picture would then be stored as if it were
/// whole. These checks read each format's own framing to tell a complete file from a cut one.
/// </summary>
internal static class CompletenessCheck
{
    /// <summary>Why the file is incomplete, or null when its framing is whole.</summary>
    public static string? FindProblem(ReadOnlySpan<byte> content, string format) => format switch
    {
        "JPEG" => CheckJpeg(content),
        "GIF" => content.Length > 0 && content[^1] == 0x3B ? null : "the GIF trailer is missing (the file is truncated)",
        "WEBP" => CheckWebp(content),
        "BMP" => CheckBmp(content),
        "PNG" => CheckPng(content),
        _ => null,  // TIFF (offsets) is checked by the decoder itself.
    };

    // ImageSharp checks chunk CRCs and IEND, but fills rows missing from a short IDAT stream with
    // zeros. The zlib stream must inflate to exactly the bytes the header implies (per scanline a
    // filter byte plus the packed pixels, per Adam7 pass when interlaced).
    private static string? CheckPng(ReadOnlySpan<byte> content)
    {
        if (content.Length < 33) return "the PNG header is incomplete";
        int position = 8;
        long width = 0, height = 0;
        int bitsPerPixel = 0;
        bool interlaced = false;
        using var compressed = new MemoryStream();
        while (position + 8 <= content.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(content[position..]);
            var type = content.Slice(position + 4, 4);
            if (length < 0 || position + 12L + length > content.Length) return "a PNG chunk runs past the end of the file (the file is truncated)";
            var data = content.Slice(position + 8, length);
            if (type.SequenceEqual("IHDR"u8))
            {
                width = BinaryPrimitives.ReadUInt32BigEndian(data);
                height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                int channels = data[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
                bitsPerPixel = channels * data[8];
                interlaced = data[12] == 1;
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                compressed.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
            position += 12 + length;
        }
        if (bitsPerPixel == 0) return null;  // the decoder reports a bad header itself

        long expected = interlaced ? Adam7Bytes(width, height, bitsPerPixel) : height * (1 + (width * bitsPerPixel + 7) / 8);
        compressed.Position = 0;
        long inflated = 0;
        try
        {
            using var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            int read;
            while (inflated < expected && (read = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - inflated))) > 0) inflated += read;
        }
        catch (InvalidDataException)
        {
            return "the PNG pixel data is corrupt";
        }
        return inflated < expected
            ? $"the PNG pixel data holds {inflated:N0} of the {expected:N0} bytes its header implies (the file is truncated)"
            : null;
    }

    private static long Adam7Bytes(long width, long height, int bitsPerPixel)
    {
        ReadOnlySpan<int> passes = [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];
        long total = 0;
        for (int p = 0; p < passes.Length; p += 4)
        {
            long w = (width - passes[p] + passes[p + 2] - 1) / passes[p + 2];
            long h = (height - passes[p + 1] + passes[p + 3] - 1) / passes[p + 3];
            if (w > 0 && h > 0) total += h * (1 + (w * bitsPerPixel + 7) / 8);
        }
        return total;
    }

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
