using System.Globalization;
using System.Text;

namespace OptOut.Core.Urls;

/// <summary>
/// Normalises URLs so that spellings of the same address compare equal: scheme and host in lower
/// case, internationalised hosts in punycode, default ports dropped, an empty path written "/",
/// percent-escapes of unreserved characters decoded and the remaining escapes in upper-case hex,
/// the fragment dropped. Path and query keep their case: servers may treat them as case-sensitive.
/// </summary>
internal static class UrlNormalizer
{
    public static NormalizedUrl Normalize(string url)
    {
        // Most dataset URLs are already in normal form; recognising that costs one scan instead of
        // a System.Uri parse (about 20 times slower), which matters at millions of rows.
        if (AlreadyNormal(url, out int hostEnd))
        {
            return new NormalizedUrl(url, url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..hostEnd]);
        }
        return NormalizeSlow(url);
    }

    /// <summary>
    /// True when <paramref name="url"/> is http(s) with a lower-case host of letters, digits, dots
    /// and hyphens, no port, user info or fragment, a path and query of plain characters (no escapes,
    /// no dot segments): then normalising would return it unchanged.
    /// </summary>
    internal static bool AlreadyNormal(string url, out int hostEnd) => AlreadyNormal(url.AsSpan(), out _, out hostEnd);

    /// <summary>
    /// <see cref="AlreadyNormal(string, out int)"/> on a span (a dataset column read without making
    /// strings), giving where the host is.
    /// </summary>
    public static bool AlreadyNormal(ReadOnlySpan<char> url, out int hostStart, out int hostEnd)
    {
        hostEnd = 0;
        int start = url.StartsWith("https://", StringComparison.Ordinal) ? 8 : url.StartsWith("http://", StringComparison.Ordinal) ? 7 : -1;
        hostStart = start;
        if (start < 0) return false;
        int i = start;
        while (i < url.Length && (char.IsAsciiLetterLower(url[i]) || char.IsAsciiDigit(url[i]) || url[i] is '.' or '-')) i++;
        if (i == start || i == url.Length || url[i] != '/' || url[i - 1] == '.' || url[start] == '.') return false;
        // The last label must start with a letter (a top-level domain): numeric hosts may be IP
        // addresses in short forms ("8", "010.1"), which the full parser rewrites.
        int lastLabel = url[start..i].LastIndexOf('.') + 1 + start;
        if (!char.IsAsciiLetterLower(url[lastLabel])) return false;
        if (url[start..i].Contains("..", StringComparison.Ordinal)) return false;
        hostEnd = i;
        // Every remaining character must be one normalising keeps as it is.
        if (url[i..].IndexOfAnyExcept(PlainPathCharacters) >= 0) return false;
        // Dot segments ("/./", "/../") are resolved by the full normaliser.
        int queryStart = url[hostEnd..].IndexOf('?');
        if (queryStart >= 0) queryStart += hostEnd;
        var path = queryStart < 0 ? url[hostEnd..] : url[hostEnd..queryStart];
        return !path.Contains("/./", StringComparison.Ordinal) && !path.Contains("/../", StringComparison.Ordinal)
            && !path.EndsWith("/.", StringComparison.Ordinal) && !path.EndsWith("/..", StringComparison.Ordinal)
            && !(queryStart >= 0 && queryStart == url.Length - 1);
    }

    private static readonly System.Buffers.SearchValues<char> PlainPathCharacters = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?:@!$&'()*+,;=");

    private static NormalizedUrl NormalizeSlow(string url)
    {
        var trimmed = url.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
        {
            // Not a web address (a local path, say): compared as written.
            return new NormalizedUrl(trimmed, null);
        }

        var host = NormalizeHost(uri.IdnHost);
        var builder = new StringBuilder(trimmed.Length);
        builder.Append(uri.Scheme.ToLowerInvariant()).Append("://");
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            builder.Append(NormalizeEscapes(uri.UserInfo)).Append('@');
        }
        builder.Append(uri.HostNameType == UriHostNameType.IPv6 ? $"[{host}]" : host);
        if (!uri.IsDefaultPort)
        {
            builder.Append(':').Append(uri.Port.ToString(CultureInfo.InvariantCulture));
        }
        var path = NormalizeEscapes(uri.AbsolutePath);
        builder.Append(path.Length == 0 ? "/" : path);
        if (uri.Query.Length > 1)
        {
            builder.Append(NormalizeEscapes(uri.Query));
        }
        return new NormalizedUrl(builder.ToString(), host);
    }

    /// <summary>
    /// A host or domain to look up, as given by a user ("Example.COM.", "münchen.de", or a web
    /// address whose host is meant), in the index's spelling. A lookup may name a page: its host is
    /// what is searched. Claims use <see cref="NormalizeDomainClaim"/>, which is stricter.
    /// </summary>
    public static string NormalizeDomain(string domain) => SplitDomain(domain).Host;

    /// <summary>
    /// The domain a domain claim (a refusal or a grant of a host and all its subdomains) is recorded
    /// under. Only spellings of a whole site are accepted: a scheme ("https://Example.com/") or a
    /// trailing slash is dropped, and <paramref name="note"/> says so. Anything that would narrow the
    /// claim (a path, a query, a port, user info) is refused, because recording the host instead
    /// would widen it: a grant for one page would become consent for a whole site, and a refusal of
    /// "example.com/path" recorded as written matched nothing at all.
    /// </summary>
    /// <exception cref="ArgumentException">Not a domain name, or a domain with a path, query, port or user info.</exception>
    public static string NormalizeDomainClaim(string domain, out string? note)
    {
        var (host, narrowing, respelled) = SplitDomain(domain);
        if (narrowing is not null)
        {
            throw new ArgumentException(narrowing switch
            {
                "path" => $"'{domain.Trim()}' is not a domain name: it names a path, and a domain claim covers the whole host '{host}' and its subdomains. "
                    + $"Claim that address as a URL (Add-OptOut -Url), or the whole site as the domain '{host}'.",
                "port" => $"'{domain.Trim()}' is not a domain name: it has a port, and a domain claim covers every port of the host. Name the domain without it ('{host}').",
                _ => $"'{domain.Trim()}' is not a domain name: it has user info (or is an e-mail address). Name the domain alone ('{host}').",
            });
        }
        note = respelled ? $"'{domain.Trim()}' is a web address of a whole site; the domain '{host}' was recorded (a domain claim covers every address on the host and its subdomains)." : null;
        return host;
    }

    // A user's domain split into the host (normalised, validated) and what else it named: the
    // first part that narrows it ("path", "port", "userinfo"), and whether a scheme or a bare
    // trailing slash was dropped.
    private static (string Host, string? Narrowing, bool Respelled) SplitDomain(string domain)
    {
        var value = domain.Trim();
        string? narrowing = null;
        bool respelled = false;
        if (value.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !(uri.Scheme is "http" or "https") || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException($"'{domain}' is not a valid domain name.");
            }
            if (uri.AbsolutePath != "/" || uri.Query.Length > 0) narrowing = "path";
            else if (!uri.IsDefaultPort) narrowing = "port";
            else if (!string.IsNullOrEmpty(uri.UserInfo)) narrowing = "userinfo";
            respelled = true;
            value = uri.IdnHost;
        }
        else
        {
            // No scheme: "host/path", "host:port", "user@host" spelled by hand.
            int end = value.IndexOfAny(['/', '?', '#']);
            if (end >= 0)
            {
                var rest = value[end..];
                if (rest != "/") narrowing = "path";
                respelled = true;
                value = value[..end];
            }
            int at = value.LastIndexOf('@');
            if (at >= 0)
            {
                narrowing ??= "userinfo";
                value = value[(at + 1)..];
            }
            int colon = value.LastIndexOf(':');
            if (colon >= 0 && value.IndexOf(':') == colon)
            {
                narrowing ??= "port";
                value = value[..colon];
            }
        }
        value = value.TrimStart('*', '.');
        try
        {
            value = new IdnMapping().GetAscii(value.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"'{domain}' is not a valid domain name.");
        }
        var host = NormalizeHost(value);
        // IdnMapping lets through characters no host name has ("/", ":", "@", spaces): a domain of
        // letters, digits, hyphens and underscores in dot-separated labels, or nothing is recorded.
        if (host.AsSpan().IndexOfAnyExcept(HostCharacters) >= 0)
        {
            throw new ArgumentException($"'{domain}' is not a valid domain name.");
        }
        return (host, narrowing, respelled);
    }

    private static readonly System.Buffers.SearchValues<char> HostCharacters = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>The host of a URL that is already normalised (no parsing: the spelling is known).</summary>
    public static string? HostOfNormalized(string normalizedUrl)
    {
        int start = normalizedUrl.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return null;
        start += 3;
        int end = normalizedUrl.IndexOfAny(['/', '?'], start);
        var authority = end < 0 ? normalizedUrl[start..] : normalizedUrl[start..end];
        int at = authority.LastIndexOf('@');
        if (at >= 0) authority = authority[(at + 1)..];
        if (authority.StartsWith('[')) return authority.TrimStart('[').Split(']')[0];
        int colon = authority.LastIndexOf(':');
        return colon >= 0 ? authority[..colon] : authority;
    }

    public static string ReverseHost(string host) =>
        // One string, written label by label from the end (bulk imports and adds reverse a host a
        // row; splitting and joining made an array and a string a label).
        string.Create(host.Length, host, static (reversed, source) =>
        {
            int written = 0, end = source.Length;
            while (end >= 0)
            {
                int dot = end == 0 ? -1 : source.LastIndexOf('.', end - 1);
                var label = source.AsSpan(dot + 1, end - dot - 1);
                label.CopyTo(reversed[written..]);
                written += label.Length;
                if (dot < 0) break;
                reversed[written++] = '.';
                end = dot;
            }
        });

    private static string NormalizeHost(string host) => host.TrimEnd('.').ToLowerInvariant();

    // RFC 3986 6.2.2: decode escapes of unreserved characters, upper-case the hex of the others,
    // and escape characters that should not appear raw (spaces, non-ASCII).
    private static string NormalizeEscapes(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                int code = Convert.ToInt32(value.Substring(i + 1, 2), 16);
                if (IsUnreserved((char)code))
                {
                    builder.Append((char)code);
                }
                else
                {
                    builder.Append('%').Append(char.ToUpperInvariant(value[i + 1])).Append(char.ToUpperInvariant(value[i + 2]));
                }
                i += 2;
            }
            else if (c <= ' ' || c > '~')
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
