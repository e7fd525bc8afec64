using System.Globalization;
using System.Text;

namespace OptOut.Core.Gate;

/// <summary>
/// Makes any text (a URL, a key, a path from the dataset, which an attacker may write) safe for the
/// format a report is written in. XML 1.0 cannot hold most C0 control characters even as character
/// references, and no format can hold a lone UTF-16 surrogate: these are replaced by a visible
/// escape, <c>\uXXXX</c> (upper-case hex), so the report is always written and the character can
/// still be seen. The replacement is for reading, not reversible (a literal "\u0001" in the data
/// reads the same).
/// </summary>
internal static class ReportText
{
    /// <summary>For XML 1.0 text and attributes: everything but tab, line feed, carriage return, the legal ranges and valid surrogate pairs is escaped.</summary>
    public static string ForXml(string? text) => Replace(text, static c => c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xFFFD && c != 0x7F), keepPairs: true);

    /// <summary>For CSV: control characters other than tab, line feed and carriage return (which quoting holds) are escaped, as are lone surrogates.</summary>
    public static string ForCsv(string? text) => Replace(text, static c => c is '\t' or '\n' or '\r' || (c >= 0x20 && c != 0x7F), keepPairs: true);

    /// <summary>For JSON: the serializer escapes control characters itself; lone surrogates, which it cannot encode, are escaped here.</summary>
    public static string ForJson(string? text) => Replace(text, static _ => true, keepPairs: true);

    private static string Replace(string? text, Func<char, bool> allowed, bool keepPairs)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool keep;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) && keepPairs)
            {
                builder?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            keep = !char.IsSurrogate(c) && allowed(c);
            if (keep)
            {
                builder?.Append(c);
                continue;
            }
            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
        return builder?.ToString() ?? text;
    }
}
