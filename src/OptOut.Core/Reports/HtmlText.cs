using System.Text;

namespace OptOut.Core.Reports;

/// <summary>Untrusted text into HTML: escaped for text and double-quoted attributes, links only to http and https.</summary>
internal static class HtmlText
{
    /// <summary>Escapes &amp;, &lt;, &gt;, quotes and apostrophes (safe in text and in quoted attributes); control characters other than tab and newline are dropped.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        StringBuilder? built = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' or '\n' => null,
                _ when char.IsControl(c) => "",
                _ => null,
            };
            if (replacement is null)
            {
                built?.Append(c);
                continue;
            }
            built ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            built.Append(replacement);
        }
        return built?.ToString() ?? text;
    }

    /// <summary>The URL to link to, when it is an absolute http or https URL; null otherwise (javascript:, data:, file:, relative).</summary>
    public static string? SafeHref(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        return uri.AbsoluteUri;
    }
}
