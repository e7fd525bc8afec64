namespace OptOut.Core.Signals;

/// <summary>
/// Finds XMP packets by their text, <c>&lt;x:xmpmeta</c> ... <c>&lt;/x:xmpmeta&gt;</c> (or the older
/// <c>x:xapmeta</c>), for containers this reader does not walk. XMP is meant to be findable this way:
/// writers keep it as uncompressed UTF-8 precisely so that tools can scan for it.
/// </summary>
internal static class XmpPacketScanner
{
    private static readonly (byte[] Open, byte[] Close)[] Tags =
    [
        ("<x:xmpmeta"u8.ToArray(), "</x:xmpmeta>"u8.ToArray()),
        ("<x:xapmeta"u8.ToArray(), "</x:xapmeta>"u8.ToArray()),
    ];

    public static void Find(ReadOnlySpan<byte> file, string where, List<MetadataBlock> into)
    {
        var offset = 0;
        var packets = 0;
        // Each round either ends the scan or moves past a closing tag, and the rounds are capped, so a
        // file full of opening tags costs a few linear passes, not one per tag.
        for (var round = 0; round < 2 * SignalLimits.MaxXmpPackets && packets < SignalLimits.MaxXmpPackets; round++)
        {
            var rest = file[offset..];
            var (first, open, close) = FirstOpening(rest);
            if (first < 0) return;
            var closeAt = rest[first..].IndexOf(close);
            if (closeAt < 0) return; // no complete packet of this kind after here
            closeAt += first;
            // Packets do not nest: the packet is the last opening before the closing tag, so stray or
            // damaged openings earlier on do not swallow it.
            var start = first + rest[first..closeAt].LastIndexOf(open);
            var length = closeAt + close.Length - start;
            if (length <= SignalLimits.MaxXmpPacketBytes)
            {
                into.Add(new MetadataBlock(MetadataKind.Xmp, rest.Slice(start, length).ToArray(), where));
                packets++;
            }
            offset += start + length;
        }
    }

    private static (int Start, byte[] Open, byte[] Close) FirstOpening(ReadOnlySpan<byte> data)
    {
        var best = (Start: -1, Open: Array.Empty<byte>(), Close: Array.Empty<byte>());
        foreach (var (open, close) in Tags)
        {
            // Only look as far as the best opening found so far.
            var searched = best.Start < 0 ? data : data[..best.Start];
            var at = searched.IndexOf(open);
            if (at >= 0) best = (at, open, close);
        }
        return best;
    }
}
