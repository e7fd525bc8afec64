using System.Xml;
using System.Xml.Linq;

namespace OptOut.Core.Signals;

/// <summary>
/// Parses an XMP packet as XML with nothing fetched or expanded: no DTD, no external resolver,
/// a cap on the document size. The packet is first cut to its <c>x:xmpmeta</c> element (or
/// <c>rdf:RDF</c> where there is no wrapper), because the bytes around it (the xpacket wrapper, padding,
/// NULs some writers leave at the end of a segment) are not always well-formed.
/// </summary>
internal static class XmpXml
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = SignalLimits.MaxXmpCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    public static XDocument Parse(byte[] packet)
    {
        var (start, length) = CoreRange(packet);
        using var reader = XmlReader.Create(new MemoryStream(packet, start, length, writable: false), Settings);
        return XDocument.Load(reader, LoadOptions.None);
    }

    private static (int Start, int Length) CoreRange(byte[] packet)
    {
        var span = packet.AsSpan();
        foreach (var (open, close) in new[] { ("<x:xmpmeta"u8.ToArray(), "</x:xmpmeta>"u8.ToArray()), ("<x:xapmeta"u8.ToArray(), "</x:xapmeta>"u8.ToArray()), ("<rdf:RDF"u8.ToArray(), "</rdf:RDF>"u8.ToArray()) })
        {
            var start = span.IndexOf(open);
            if (start < 0) continue;
            var end = span.LastIndexOf(close);
            if (end > start) return (start, end + close.Length - start);
            return (start, span.Length - start); // no end tag: damaged, and the parser will say so
        }
        return (0, packet.Length); // UTF-16 or an unusual prefix: let the parser detect the encoding
    }
}
