namespace OptOut.Core.SiteReservations;

/// <summary>
/// The response headers that reserve a site's content, as configuration lines for the three common
/// servers: <c>TDM-Reservation: 1</c> (and <c>TDM-Policy</c>) from TDMRep, and <c>X-Robots-Tag: noai,
/// noimageai</c>, which img2dataset honours by default.
/// </summary>
internal static class HeaderSnippets
{
    public static IReadOnlyList<(string Name, string Value)> Headers(string? policy)
    {
        var headers = new List<(string, string)> { ("TDM-Reservation", "1"), ("X-Robots-Tag", "noai, noimageai") };
        if (policy is not null) headers.Add(("TDM-Policy", policy));
        return headers;
    }

    public static string Nginx(string? policy) =>
        "# nginx: inside the server (or location) block that serves the works\n"
        + string.Concat(Headers(policy).Select(h => $"add_header {h.Name} \"{h.Value}\" always;\n"));

    public static string Apache(string? policy) =>
        "# Apache httpd (mod_headers): in the VirtualHost, a Directory block or .htaccess\n"
        + string.Concat(Headers(policy).Select(h => $"Header always set {h.Name} \"{h.Value}\"\n"));

    public static string Caddy(string? policy) =>
        "# Caddy: inside the site block\nheader {\n"
        + string.Concat(Headers(policy).Select(h => $"\t{h.Name} \"{h.Value}\"\n"))
        + "}\n";
}
