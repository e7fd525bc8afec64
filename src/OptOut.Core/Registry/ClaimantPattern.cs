using System.Text;

namespace OptOut.Core.Registry;

/// <summary>A claimant name with PowerShell's '*' and '?' wildcards, as a SQLite LIKE pattern (escape character '\').</summary>
public static class ClaimantPattern
{
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
