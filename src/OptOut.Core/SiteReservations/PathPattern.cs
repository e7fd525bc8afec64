namespace OptOut.Core.SiteReservations;

/// <summary>
/// A robots.txt path pattern (RFC 9309 2.2.3), also used by ai.txt and TDMRep locations: '*' matches
/// any run of characters, a final '$' anchors the end; otherwise a pattern matches a prefix of the path.
/// Percent-escapes are compared with upper-case hex digits on both sides.
/// </summary>
internal sealed class PathPattern
{
    private readonly string pattern;
    private readonly bool anchored;

    public PathPattern(string pattern)
    {
        Text = pattern;
        anchored = pattern.EndsWith('$');
        this.pattern = NormalizeEscapes(anchored ? pattern[..^1] : pattern);
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>How specific the pattern is: its length in octets, as RFC 9309 ranks matches.</summary>
    public int Specificity => System.Text.Encoding.UTF8.GetByteCount(Text);

    public bool Matches(string path) => Match(pattern, 0, NormalizeEscapes(path), 0);

    // Backtracking over '*': patterns are a few dozen characters, paths a few hundred.
    private bool Match(string p, int pi, string s, int si)
    {
        while (pi < p.Length)
        {
            if (p[pi] == '*')
            {
                while (pi < p.Length && p[pi] == '*') pi++;
                if (pi == p.Length) return true;
                for (var k = si; k <= s.Length; k++)
                {
                    if (Match(p, pi, s, k)) return true;
                }
                return false;
            }
            if (si >= s.Length || p[pi] != s[si]) return false;
            pi++;
            si++;
        }
        return !anchored || si == s.Length;
    }

    private static string NormalizeEscapes(string text)
    {
        if (!text.Contains('%')) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i + 2 < chars.Length; i++)
        {
            if (chars[i] == '%' && Uri.IsHexDigit(chars[i + 1]) && Uri.IsHexDigit(chars[i + 2]))
            {
                chars[i + 1] = char.ToUpperInvariant(chars[i + 1]);
                chars[i + 2] = char.ToUpperInvariant(chars[i + 2]);
            }
        }
        return new string(chars);
    }
}
