using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the metadata chunks of a PNG: XMP in an iTXt (possibly zlib-compressed), zTXt or tEXt chunk
/// with the keyword <c>XML:com.adobe.xmp</c>; ImageMagick's legacy "Raw profile type xmp" text chunk
/// (the packet as hex digits, usually in a zTXt); and the C2PA manifest store in a <c>caBX</c> chunk.
/// CRCs are not checked: a damaged CRC does not make a reservation less meant.
/// </summary>
internal static class PngMetadata
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private const string XmpKeyword = "XML:com.adobe.xmp";
    private const string RawProfileKeyword = "Raw profile type xmp";

    public static bool IsPng(ReadOnlySpan<byte> file) => file.StartsWith(Signature);

    public static void Find(ReadOnlySpan<byte> file, List<MetadataBlock> into)
    {
        var pos = (long)Signature.Length;
        var xmpPackets = 0;
        var stores = 0;
        while (pos + 8 <= file.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(file.Slice((int)pos, 4));
            var type = System.Text.Encoding.ASCII.GetString(file.Slice((int)pos + 4, 4));
            var dataStart = pos + 8;
            var dataEnd = Math.Min(file.Length, dataStart + length); // a truncated last chunk is read as far as it goes
            var data = file[(int)dataStart..(int)dataEnd];

            if (type is "iTXt" or "zTXt" or "tEXt" && xmpPackets < SignalLimits.MaxXmpPackets)
            {
                var block = ReadTextChunk(type, data);
                if (block is not null) { into.Add(block); xmpPackets++; }
            }
            else if (type == "caBX" && stores < SignalLimits.MaxJumbfStores && data.Length <= SignalLimits.MaxJumbfBytes)
            {
                into.Add(new MetadataBlock(MetadataKind.Jumbf, data.ToArray(), "JUMBF in PNG caBX chunk"));
                stores++;
            }
            else if (type == "IEND") break;

            pos = dataStart + length + 4;
        }
    }

    private static MetadataBlock? ReadTextChunk(string type, ReadOnlySpan<byte> data)
    {
        var keywordEnd = data.IndexOf((byte)0);
        if (keywordEnd < 0) return null;
        var keyword = System.Text.Encoding.Latin1.GetString(data[..keywordEnd]);
        if (keyword != XmpKeyword && keyword != RawProfileKeyword) return null;
        var rest = data[(keywordEnd + 1)..];

        byte[]? text;
        var where = $"XMP in PNG {type} chunk";
        switch (type)
        {
            case "tEXt":
                text = rest.ToArray();
                break;
            case "zTXt": // compression method (0 = zlib), then the compressed text
                text = rest.Length > 1 && rest[0] == 0 ? Inflate(rest[1..]) : null;
                where += " (compressed)";
                break;
            default: // iTXt: compression flag, method, language tag\0, translated keyword\0, text
                if (rest.Length < 2) return null;
                var compressed = rest[0] == 1;
                var afterLanguage = SkipNulTerminated(rest[2..]);
                var textPart = SkipNulTerminated(afterLanguage);
                text = compressed ? (rest[1] == 0 ? Inflate(textPart) : null) : textPart.ToArray();
                if (compressed) where += " (compressed)";
                break;
        }
        if (text is null) return null;

        if (keyword == RawProfileKeyword)
        {
            text = DecodeRawProfile(text);
            if (text is null) return null;
            where = $"XMP in PNG {type} chunk \"{RawProfileKeyword}\" (ImageMagick)";
        }
        return text.Length <= SignalLimits.MaxXmpPacketBytes ? new MetadataBlock(MetadataKind.Xmp, text, where) : null;
    }

    private static ReadOnlySpan<byte> SkipNulTerminated(ReadOnlySpan<byte> data)
    {
        var nul = data.IndexOf((byte)0);
        return nul < 0 ? ReadOnlySpan<byte>.Empty : data[(nul + 1)..];
    }

    /// <summary>
    /// zlib-inflates at most <see cref="SignalLimits.MaxXmpPacketBytes"/> bytes; a larger result (a
    /// decompression bomb or an absurd packet) or damaged data gives null.
    /// </summary>
    internal static byte[]? Inflate(ReadOnlySpan<byte> compressed)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed.ToArray(), writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = zlib.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > SignalLimits.MaxXmpPacketBytes) return null;
                output.Write(buffer, 0, read);
            }
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null; // damaged stream (zlib's own errors surface as an IOException)
        }
    }

    /// <summary>
    /// ImageMagick's raw profile text: a newline, the profile name ("xmp"), a newline, the byte count
    /// right-aligned, a newline, then the bytes as hex digits wrapped over lines.
    /// </summary>
    private static byte[]? DecodeRawProfile(byte[] text)
    {
        var span = text.AsSpan();
        var lines = 0;
        var pos = 0;
        // Skip the leading newline, the name line and the count line, keeping the count.
        var countStart = -1;
        while (pos < span.Length && lines < 3)
        {
            if (span[pos] == (byte)'\n')
            {
                lines++;
                if (lines == 2) countStart = pos + 1;
            }
            pos++;
        }
        if (lines < 3 || countStart < 0) return null;
        var countText = System.Text.Encoding.ASCII.GetString(span[countStart..(pos - 1)]).Trim();
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count)) return null;
        if (count <= 0 || count > SignalLimits.MaxXmpPacketBytes) return null;

        // The count is only an upper bound: never more bytes than the hex digits present can give.
        var hexDigits = span.Length - pos;
        var result = new byte[Math.Min(count, hexDigits / 2)];
        var written = 0;
        var high = -1;
        for (; pos < span.Length && written < result.Length; pos++)
        {
            var nibble = HexValue(span[pos]);
            if (nibble < 0) continue; // line breaks and spaces
            if (high < 0) high = nibble;
            else { result[written++] = (byte)(high << 4 | nibble); high = -1; }
        }
        return written == result.Length ? result : result[..written];
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
