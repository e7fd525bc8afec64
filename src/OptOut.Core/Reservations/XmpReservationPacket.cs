using System.Text;
using System.Xml;
using System.Xml.Linq;
using OptOut.Core.Signals;

namespace OptOut.Core.Reservations;

/// <summary>
/// Writes a reservation into an XMP packet: a new packet, or the file's own packet updated in place of
/// the properties it sets (every other property, namespace and description is kept). A property is
/// written once, in the first <c>rdf:Description</c>, in the element form every XMP reader takes.
/// </summary>
internal static class XmpReservationPacket
{
    private static readonly XNamespace X = "adobe:ns:meta/";
    private static readonly XNamespace Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static readonly XNamespace Plus = "http://ns.useplus.org/ldf/xmp/1.0/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly XNamespace XmpRights = "http://ns.adobe.com/xap/1.0/rights/";

    private static readonly XName DataMining = Plus + "DataMining";
    private static readonly XName OtherConstraints = Plus + "OtherConstraints";
    private static readonly XName Rights = Dc + "rights";
    private static readonly XName Creator = Dc + "creator";
    private static readonly XName WebStatement = XmpRights + "WebStatement";
    private static readonly XName Marked = XmpRights + "Marked";

    // Room left after the packet for a later in-place edit, as XMP writers do (XMP spec part 1, 7.3.2).
    private const int Padding = 2048;

    /// <summary>The packet bytes (UTF-8, xpacket wrapper) with <paramref name="reservation"/> written into <paramref name="existing"/>, or into a new packet.</summary>
    /// <exception cref="ReservationWriteException">The existing packet is not well-formed XMP.</exception>
    public static byte[] Apply(byte[]? existing, ImageReservation reservation)
    {
        reservation.Validate();
        var rdf = existing is null ? NewRdf() : ExistingRdf(existing);
        var descriptions = rdf.Elements(Rdf + "Description").ToList();
        if (descriptions.Count == 0)
        {
            descriptions.Add(new XElement(Rdf + "Description", new XAttribute(Rdf + "about", "")));
            rdf.Add(descriptions[0]);
        }

        Remove(descriptions, DataMining);
        if (reservation.Constraint is not null) Remove(descriptions, OtherConstraints);
        if (reservation.CopyrightNotice is not null) { Remove(descriptions, Rights); Remove(descriptions, Marked); }
        if (reservation.Creator is not null) Remove(descriptions, Creator);
        if (reservation.WebStatement is not null) Remove(descriptions, WebStatement);

        var target = descriptions[0];
        Declare(target, "plus", Plus);
        target.Add(new XElement(DataMining, DataMiningVocabulary.Uri(reservation.DataMining)));
        if (reservation.Constraint is not null) target.Add(LangAlt(OtherConstraints, reservation.Constraint));
        if (reservation.CopyrightNotice is not null)
        {
            Declare(target, "dc", Dc);
            Declare(target, "xmpRights", XmpRights);
            target.Add(LangAlt(Rights, reservation.CopyrightNotice));
            target.Add(new XElement(Marked, "True"));
        }
        if (reservation.Creator is not null)
        {
            Declare(target, "dc", Dc);
            target.Add(new XElement(Creator, new XElement(Rdf + "Seq", new XElement(Rdf + "li", reservation.Creator))));
        }
        if (reservation.WebStatement is not null)
        {
            Declare(target, "xmpRights", XmpRights);
            target.Add(new XElement(WebStatement, reservation.WebStatement));
        }
        return Serialize(rdf);
    }

    private static XElement NewRdf() =>
        new(Rdf + "RDF", new XAttribute(XNamespace.Xmlns + "rdf", Rdf.NamespaceName));

    private static XElement ExistingRdf(byte[] packet)
    {
        XDocument document;
        try
        {
            document = XmpXml.Parse(packet);
        }
        catch (XmlException e)
        {
            throw new ReservationWriteException($"The file's XMP packet is not well-formed XML ({e.Message}); OptOut does not rewrite it.", e);
        }
        var rdf = document.Root?.Name == Rdf + "RDF" ? document.Root : document.Root?.Element(Rdf + "RDF");
        if (rdf is null) throw new ReservationWriteException("The file's XMP packet has no rdf:RDF element; OptOut does not rewrite it.");
        // Detached from its x:xmpmeta wrapper, which is written anew (the toolkit string is ours now).
        rdf.Remove();
        return rdf;
    }

    private static void Remove(IEnumerable<XElement> descriptions, XName property)
    {
        foreach (var description in descriptions)
        {
            description.Attribute(property)?.Remove();
            description.Elements(property).Remove();
        }
    }

    private static void Declare(XElement element, string prefix, XNamespace ns)
    {
        if (element.GetPrefixOfNamespace(ns) is null && element.Attribute(XNamespace.Xmlns + prefix) is null)
        {
            element.Add(new XAttribute(XNamespace.Xmlns + prefix, ns.NamespaceName));
        }
    }

    private static XElement LangAlt(XName property, string text) =>
        new(property, new XElement(Rdf + "Alt", new XElement(Rdf + "li", new XAttribute(XNamespace.Xml + "lang", "x-default"), text)));

    private static byte[] Serialize(XElement rdf)
    {
        Declare(rdf, "rdf", Rdf);
        var meta = new XElement(X + "xmpmeta",
            new XAttribute(XNamespace.Xmlns + "x", X.NamespaceName),
            new XAttribute(X + "xmptk", "OptOut"),
            rdf);
        var builder = new StringBuilder();
        builder.Append("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true, IndentChars = " ", NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using (var writer = XmlWriter.Create(builder, settings)) meta.WriteTo(writer);
        builder.Append('\n');
        for (var i = 0; i < Padding / 64; i++) builder.Append(' ', 63).Append('\n');
        builder.Append("<?xpacket end=\"w\"?>");
        return new UTF8Encoding(false).GetBytes(builder.ToString());
    }
}
