using System.Buffers.Binary;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the metadata segments of a JPEG, which all come before the first scan (SOS):
/// APP1 with the XMP header (the main packet, and Adobe's Extended XMP for packets over 64 KB) and
/// APP11 with JUMBF boxes (where C2PA puts its manifest store, split over as many segments as needed).
/// </summary>
internal static class JpegMetadata
{
    private static ReadOnlySpan<byte> XmpHeader => "http://ns.adobe.com/xap/1.0/\0"u8;
    private static ReadOnlySpan<byte> ExtendedXmpHeader => "http://ns.adobe.com/xmp/extension/\0"u8;

    // Extended XMP: header, 32-character GUID, full length and offset (big-endian uint32 each), data.
    private const int ExtendedPrefixLength = 35 + 32 + 4 + 4;

    // APP11 JUMBF (JPEG XT): "JP", box instance number (2 bytes), packet sequence number (4 bytes),
    // then the box; every continuation segment repeats the box header, which is dropped when joining.
    private const int JumbfPrefixLength = 2 + 2 + 4;

    public static bool IsJpeg(ReadOnlySpan<byte> file) => file.Length >= 3 && file[0] == 0xFF && file[1] == 0xD8 && file[2] == 0xFF;

    public static void Find(ReadOnlySpan<byte> file, List<MetadataBlock> into)
    {
        var extended = new Dictionary<string, List<(uint FullLength, uint Offset, byte[] Data)>>();
        var jumbf = new Dictionary<ushort, List<(uint Sequence, byte[] Payload)>>();
        var xmpPackets = 0;

        var pos = 2;
        while (pos + 4 <= file.Length)
        {
            if (file[pos] != 0xFF) break; // lost sync: the segment structure is damaged from here on
            var marker = file[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { pos += 2; continue; }
            if (marker == 0xDA || marker == 0xD9) break; // scan data or end: no metadata segments follow

            int length = BinaryPrimitives.ReadUInt16BigEndian(file.Slice(pos + 2, 2));
            if (length < 2) break;
            var end = Math.Min(file.Length, pos + 2 + length);
            var payload = file[(pos + 4)..end];

            if (marker == 0xE1 && payload.StartsWith(XmpHeader) && xmpPackets < SignalLimits.MaxXmpPackets)
            {
                into.Add(new MetadataBlock(MetadataKind.Xmp, payload[XmpHeader.Length..].ToArray(), "XMP in JPEG APP1"));
                xmpPackets++;
            }
            else if (marker == 0xE1 && payload.StartsWith(ExtendedXmpHeader) && payload.Length > ExtendedPrefixLength)
            {
                AddExtendedXmpPart(payload, extended);
            }
            else if (marker == 0xEB && payload.Length > JumbfPrefixLength + 8 && payload.StartsWith("JP"u8))
            {
                AddJumbfPart(payload, jumbf);
            }

            pos += 2 + length;
        }

        foreach (var packet in JoinExtendedXmp(extended)) into.Add(packet);
        foreach (var store in JoinJumbf(jumbf)) into.Add(store);
    }

    private static void AddExtendedXmpPart(ReadOnlySpan<byte> payload, Dictionary<string, List<(uint, uint, byte[])>> parts)
    {
        var guid = System.Text.Encoding.ASCII.GetString(payload.Slice(ExtendedXmpHeader.Length, 32));
        if (!parts.TryGetValue(guid, out var list))
        {
            if (parts.Count >= SignalLimits.MaxXmpPackets) return;
            parts[guid] = list = new();
        }
        var fullLength = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(ExtendedXmpHeader.Length + 32, 4));
        var offset = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(ExtendedXmpHeader.Length + 36, 4));
        list.Add((fullLength, offset, payload[ExtendedPrefixLength..].ToArray()));
    }

    /// <summary>
    /// Puts each Extended XMP packet together from its parts. The declared full length is only trusted
    /// once the parts actually present add up to it, so a forged length allocates nothing.
    /// </summary>
    private static IEnumerable<MetadataBlock> JoinExtendedXmp(Dictionary<string, List<(uint FullLength, uint Offset, byte[] Data)>> parts)
    {
        foreach (var list in parts.Values)
        {
            var fullLength = list[0].FullLength;
            if (fullLength == 0 || fullLength > SignalLimits.MaxXmpPacketBytes) continue;
            if (list.Any(p => p.FullLength != fullLength || (long)p.Offset + p.Data.Length > fullLength)) continue;
            if (list.Sum(p => (long)p.Data.Length) < fullLength) continue;

            var packet = new byte[fullLength];
            var covered = new bool[fullLength];
            foreach (var (_, offset, data) in list)
            {
                data.CopyTo(packet, (int)offset);
                Array.Fill(covered, true, (int)offset, data.Length);
            }
            if (Array.IndexOf(covered, false) >= 0) continue; // a part is missing
            yield return new MetadataBlock(MetadataKind.Xmp, packet, "XMP in JPEG APP1 (Extended XMP)");
        }
    }

    private static void AddJumbfPart(ReadOnlySpan<byte> payload, Dictionary<ushort, List<(uint, byte[])>> stores)
    {
        var instance = BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(2, 2));
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(payload.Slice(4, 4));
        if (!stores.TryGetValue(instance, out var list))
        {
            if (stores.Count >= SignalLimits.MaxJumbfStores) return;
            stores[instance] = list = new();
        }
        list.Add((sequence, payload[JumbfPrefixLength..].ToArray()));
    }

    /// <summary>
    /// Joins the APP11 segments of each box instance in sequence-number order: the first keeps its box
    /// header, the others drop the copy of it they repeat (8 bytes, or 16 with an extended length).
    /// </summary>
    private static IEnumerable<MetadataBlock> JoinJumbf(Dictionary<ushort, List<(uint Sequence, byte[] Payload)>> stores)
    {
        foreach (var list in stores.Values)
        {
            list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            using var joined = new MemoryStream();
            var tooLarge = false;
            for (var i = 0; i < list.Count; i++)
            {
                var payload = list[i].Payload;
                var skip = i == 0 ? 0 : (BinaryPrimitives.ReadUInt32BigEndian(payload) == 1 ? 16 : 8);
                if (payload.Length <= skip) continue;
                if (joined.Length + payload.Length - skip > SignalLimits.MaxJumbfBytes) { tooLarge = true; break; }
                joined.Write(payload, skip, payload.Length - skip);
            }
            if (!tooLarge) yield return new MetadataBlock(MetadataKind.Jumbf, joined.ToArray(), "JUMBF in JPEG APP11");
        }
    }
}
