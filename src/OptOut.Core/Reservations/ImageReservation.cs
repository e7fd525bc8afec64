namespace OptOut.Core.Reservations;

/// <summary>What a rights holder writes into an image's XMP: the IPTC data-mining reservation and, when given, the rights statements beside it.</summary>
/// <param name="DataMining">The plus:DataMining value.</param>
/// <param name="Constraint">plus:OtherConstraints: the holder's own words (required for <see cref="DataMiningValue.ProhibitedSeeConstraint"/>).</param>
/// <param name="CopyrightNotice">dc:rights.</param>
/// <param name="Creator">dc:creator.</param>
/// <param name="WebStatement">xmpRights:WebStatement: a web page with the rights and licensing terms.</param>
public sealed record ImageReservation(
    DataMiningValue DataMining,
    string? Constraint = null,
    string? CopyrightNotice = null,
    string? Creator = null,
    string? WebStatement = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> when the reservation cannot be written as given.</summary>
    public void Validate()
    {
        if (DataMining == DataMiningValue.ProhibitedSeeConstraint && string.IsNullOrWhiteSpace(Constraint))
        {
            throw new ArgumentException("DMI-PROHIBITED-SEECONSTRAINT points readers at the constraint text: give it (-Constraint).");
        }
        if (WebStatement is not null && !(System.Uri.TryCreate(WebStatement, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"The web statement '{WebStatement}' is not an http(s) address.");
        }
        foreach (var text in new[] { Constraint, CopyrightNotice, Creator, WebStatement })
        {
            if (text is not null && text.Any(c => char.IsControl(c) && c is not '\t' and not '\n' and not '\r'))
            {
                throw new ArgumentException("Rights text cannot hold control characters (XML 1.0 has no way to write them).");
            }
        }
    }
}
