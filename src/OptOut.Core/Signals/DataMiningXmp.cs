using System.Xml;
using System.Xml.Linq;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the IPTC Photo Metadata "Data Mining" property (<c>plus:DataMining</c>, IPTC 2023.1) from an
/// XMP packet. The property is matched by its namespace URI, whatever prefix the packet binds to it,
/// and in each RDF form a writer may use: an attribute of <c>rdf:Description</c>, an element with the
/// URI as text, or an element with an <c>rdf:resource</c> attribute.
/// </summary>
internal static class DataMiningXmp
{
    public const string Source = "XMP plus:DataMining";
    public const string PlusNamespace = "http://ns.useplus.org/ldf/xmp/1.0/";
    private const string RdfNamespace = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

    // The vocabulary is published under http:; https: and a bare code are accepted as the same value.
    private static readonly string[] VocabularyPrefixes = ["http://ns.useplus.org/ldf/vocab/", "https://ns.useplus.org/ldf/vocab/"];

    /// <summary>The IPTC 2023.1 controlled vocabulary; every DMI-PROHIBITED* code reserves training.</summary>
    private static readonly HashSet<string> KnownCodes = new(StringComparer.Ordinal)
    {
        "DMI-UNSPECIFIED",
        "DMI-ALLOWED",
        "DMI-PROHIBITED-AIMLTRAINING",
        "DMI-PROHIBITED-GENAIMLTRAINING",
        "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        "DMI-PROHIBITED",
        "DMI-PROHIBITED-SEECONSTRAINT",
        "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR",
        "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR",
    };

    private static readonly XName DataMiningName = XName.Get("DataMining", PlusNamespace);
    private static readonly XName OtherConstraintsName = XName.Get("OtherConstraints", PlusNamespace);
    private static readonly XName RdfResource = XName.Get("resource", RdfNamespace);
    private static readonly XName RdfLi = XName.Get("li", RdfNamespace);
    private static readonly XName XmlLang = XNamespace.Xml + "lang";

    /// <summary>Adds a signal for each plus:DataMining value in the packet. Throws XmlException when the packet is not well-formed XML.</summary>
    public static void Read(byte[] packet, string where, SignalCollector into)
    {
        var xml = XmpXml.Parse(packet);
        string? otherConstraints = null;
        var constraintsRead = false;

        foreach (var value in DataMiningValues(xml))
        {
            var (code, recognised) = Interpret(value);
            var detail = where;
            if (!recognised)
            {
                detail += "; not a value of the IPTC Data Mining vocabulary, so not counted as a reservation";
            }
            else if (!IsVocabularyUri(value))
            {
                detail += "; given as a bare code, not the vocabulary URI";
            }
            if (recognised && code == "DMI-PROHIBITED-SEECONSTRAINT")
            {
                if (!constraintsRead) { otherConstraints = OtherConstraints(xml); constraintsRead = true; }
                detail += otherConstraints is null
                    ? "; no plus:OtherConstraints text in the packet"
                    : $"; plus:OtherConstraints: \"{SignalLimits.Shorten(otherConstraints)}\"";
            }
            into.Add(new EmbeddedSignal(Source, code, recognised && code.StartsWith("DMI-PROHIBITED", StringComparison.Ordinal), detail));
        }
    }

    private static IEnumerable<string> DataMiningValues(XDocument xml)
    {
        foreach (var element in xml.Descendants())
        {
            // Attribute form: <rdf:Description plus:DataMining="..."/>
            var attribute = element.Attribute(DataMiningName);
            if (attribute is not null) yield return attribute.Value;

            if (element.Name != DataMiningName) continue;
            // Element forms: <plus:DataMining rdf:resource="..."/> or <plus:DataMining>...</plus:DataMining>.
            // The property is a single value; a writer that made it a list gets each item read.
            var resource = element.Attribute(RdfResource);
            if (resource is not null) { yield return resource.Value; continue; }
            var items = element.Descendants(RdfLi).ToList();
            if (items.Count == 0) { yield return element.Value; continue; }
            foreach (var item in items) yield return item.Attribute(RdfResource)?.Value ?? item.Value;
        }
    }

    private static (string Code, bool Recognised) Interpret(string value)
    {
        var text = value.Trim();
        foreach (var prefix in VocabularyPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) { text = text[prefix.Length..]; break; }
        }
        var upper = text.ToUpperInvariant();
        return KnownCodes.Contains(upper) ? (upper, true) : (SignalLimits.Shorten(text), false);
    }

    private static bool IsVocabularyUri(string value) =>
        VocabularyPrefixes.Any(p => value.Trim().StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>plus:OtherConstraints, a language alternative: the x-default text, else the first one.</summary>
    private static string? OtherConstraints(XDocument xml)
    {
        foreach (var element in xml.Descendants())
        {
            var attribute = element.Attribute(OtherConstraintsName);
            if (attribute is not null && attribute.Value.Trim().Length > 0) return attribute.Value;
            if (element.Name != OtherConstraintsName) continue;
            var items = element.Descendants(RdfLi).ToList();
            var chosen = items.FirstOrDefault(i => (string?)i.Attribute(XmlLang) == "x-default") ?? items.FirstOrDefault();
            var text = chosen?.Value ?? element.Value;
            if (text.Trim().Length > 0) return text;
        }
        return null;
    }
}
