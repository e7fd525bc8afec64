using System.Text;

namespace OptOut.Core.Index;

/// <summary>
/// Turns what a user types into an FTS5 query that cannot be a syntax error: "quoted phrases" stay
/// phrases, words ending in * are prefixes, every other word is a required term.
/// </summary>
public static class CaptionQuery
{
    public static string ToFts5(string text)
    {
        var terms = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            if (text[i] == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) end = text.Length;
                AddTerm(terms, text[(i + 1)..end], prefix: false);
                i = end + 1;
                continue;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
            var word = text[start..i];
            bool prefix = word.EndsWith('*');
            AddTerm(terms, word.TrimEnd('*'), prefix);
        }
        return string.Join(' ', terms);
    }

    private static void AddTerm(List<string> terms, string value, bool prefix)
    {
        // Keep letters and digits; everything else separates tokens as the unicode61 tokenizer does.
        var cleaned = new StringBuilder(value.Length);
        foreach (var c in value) cleaned.Append(char.IsLetterOrDigit(c) ? c : ' ');
        var words = cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return;
        terms.Add("\"" + string.Join(' ', words) + "\"" + (prefix ? "*" : ""));
    }
}
