using System.Text;

namespace OptOut.Core.Registry;

/// <summary>A claimant name with PowerShell's '*' and '?' wildcards, as a SQLite LIKE pattern (escape character '\').</summary>
internal static class ClaimantPattern
{
    /// <summary>
    /// The text with A-Z as a-z and every other character as it is: how SQLite's NOCASE and LIKE
    /// compare claimants. The PostgreSQL registry folds the same way (the same 26 letters, through
    /// translate()), never with lower(), which folds every script and would
    /// make one claimant filter match different records in the two backends.
    /// </summary>
    public static string FoldAscii(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            span[i] = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
        }
    });

    public static bool HasWildcards(string pattern) => pattern.Contains('*') || pattern.Contains('?');

    public static string ToLike(string pattern)
    {
        var like = new StringBuilder(pattern.Length + 4);
        foreach (var c in pattern)
        {
            switch (c)
            {
                case '*': like.Append('%'); break;
                case '?': like.Append('_'); break;
                case '%' or '_' or '\\': like.Append('\\').Append(c); break;
                default: like.Append(c); break;
            }
        }
        return like.ToString();
    }
}
