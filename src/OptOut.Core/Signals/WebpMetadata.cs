using System.Buffers.Binary;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the chunks of a WebP (RIFF) file: <c>"XMP "</c> holds the XMP packet and <c>"C2PA"</c> the
/// C2PA manifest store as JUMBF. Both only appear in the extended (VP8X) layout.
/// </summary>
internal static class WebpMetadata
{
    public static bool IsWebp(ReadOnlySpan<byte> file) =>
        file.Length >= 12 && file.StartsWith("RIFF"u8) && file.Slice(8, 4).SequenceEqual("WEBP"u8);

    public static void Find(ReadOnlySpan<byte> file, List<MetadataBlock> into)
    {
        var pos = 12L;
        var xmpPackets = 0;
        var stores = 0;
        while (pos + 8 <= file.Length)
        {
            var fourCc = System.Text.Encoding.ASCII.GetString(file.Slice((int)pos, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice((int)pos + 4, 4));
            var dataStart = pos + 8;
            var data = file[(int)dataStart..(int)Math.Min(file.Length, dataStart + size)];

            if (fourCc == "XMP " && xmpPackets < SignalLimits.MaxXmpPackets && data.Length <= SignalLimits.MaxXmpPacketBytes)
            {
                into.Add(new MetadataBlock(MetadataKind.Xmp, data.ToArray(), "XMP in WebP \"XMP \" chunk"));
                xmpPackets++;
            }
            else if (fourCc == "C2PA" && stores < SignalLimits.MaxJumbfStores && data.Length <= SignalLimits.MaxJumbfBytes)
            {
                into.Add(new MetadataBlock(MetadataKind.Jumbf, data.ToArray(), "JUMBF in WebP \"C2PA\" chunk"));
                stores++;
            }

            pos = dataStart + size + (size & 1); // chunks are padded to an even size
        }
    }
}
