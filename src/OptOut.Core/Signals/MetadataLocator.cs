namespace OptOut.Core.Signals;

/// <summary>
/// Finds the XMP packets and JUMBF stores of a file by its container format. JPEG, PNG and WebP are
/// walked by their segment or chunk structure; any other file (TIFF, GIF, HEIF, ...) is scanned for
/// plain XMP packets, which is where those formats keep them as uncompressed text.
/// </summary>
internal static class MetadataLocator
{
    public static List<MetadataBlock> Find(ReadOnlySpan<byte> file)
    {
        var blocks = new List<MetadataBlock>();
        if (JpegMetadata.IsJpeg(file)) JpegMetadata.Find(file, blocks);
        else if (PngMetadata.IsPng(file)) PngMetadata.Find(file, blocks);
        else if (WebpMetadata.IsWebp(file)) WebpMetadata.Find(file, blocks);
        else XmpPacketScanner.Find(file, $"XMP packet found by scanning the {FormatName(file)} bytes", blocks);
        return blocks;
    }

    private static string FormatName(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith("II*\0"u8) || file.StartsWith("MM\0*"u8)) return "TIFF";
        if (file.StartsWith("GIF8"u8)) return "GIF";
        return "file";
    }
}
