using System.Text;

namespace OptOut.Core.Index;

/// <summary>One phrase of a caption query: words that must follow each other, the last one a prefix when <see cref="Prefix"/>.</summary>
public sealed record CaptionPhrase(string Words, bool Prefix)
{
    public string ToFts5() => "\"" + Words + "\"" + (Prefix ? "*" : "");
}

/// <summary>
/// Turns what a user types into an FTS5 query that cannot be a syntax error: "quoted phrases" stay
/// phrases, words ending in * are prefixes, every other word is a required term.
/// </summary>
public static class CaptionQuery
{
    public static string ToFts5(string text) => ToFts5(Parse(text));

    /// <summary>The FTS5 query requiring every one of <paramref name="phrases"/>.</summary>
    public static string ToFts5(IReadOnlyList<CaptionPhrase> phrases) => string.Join(' ', phrases.Select(p => p.ToFts5()));

    /// <summary>The phrases of the query, in order; FTS5 requires every one of them.</summary>
    public static IReadOnlyList<CaptionPhrase> Parse(string text)
    {
        var phrases = new List<CaptionPhrase>();
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            if (text[i] == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) end = text.Length;
                AddPhrase(phrases, text[(i + 1)..end], prefix: false);
                i = end + 1;
                continue;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
            var word = text[start..i];
            bool prefix = word.EndsWith('*');
            AddPhrase(phrases, word.TrimEnd('*'), prefix);
        }
        return phrases;
    }

    private static void AddPhrase(List<CaptionPhrase> phrases, string value, bool prefix)
    {
        // Keep the characters FTS5's tokenizer keeps in tokens (letters and digits of any script, and
        // marks inside words); everything else (quotes, operators, punctuation) separates, as it would.
        var cleaned = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            if (CaptionTokens.IsTokenCharacter(rune)) cleaned.Append(rune.ToString());
            else cleaned.Append(' ');
        }
        var words = cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // A phrase FTS5 would read as no tokens at all (only marks) is no phrase.
        if (words.Length == 0 || CaptionTokens.Of(string.Join(' ', words)).Length == 0) return;
        phrases.Add(new CaptionPhrase(string.Join(' ', words), prefix));
    }
}
