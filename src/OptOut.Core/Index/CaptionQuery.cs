using System.Text;

namespace OptOut.Core.Index;

/// <summary>
/// Turns what a user types into an FTS5 query that cannot be a syntax error: "quoted phrases" stay
/// phrases, words ending in * are prefixes, every other word is a required term.
/// </summary>
internal static class CaptionQuery
{
    /// <summary>
    /// The longest query searched. A caption query is a few words (LAION captions are a dozen words
    /// at the median; CLIP's text encoder reads 77 tokens): 1,000 characters is several captions'
    /// worth, while a pasted page is refused before FTS5 is asked anything.
    /// </summary>
    public const int MaxCharacters = 1_000;

    /// <summary>
    /// The most distinct terms searched (the words of the distinct phrases). FTS5 evaluates every
    /// phrase of a query on its own and its bm25() costs grow faster than the phrases (docs/index.md,
    /// "Query limits"); 64 is more words than nearly any caption holds.
    /// </summary>
    public const int MaxTerms = 64;

    public static string ToFts5(string text) => ToFts5(Parse(text));

    /// <summary>The FTS5 query requiring every one of <paramref name="phrases"/>.</summary>
    public static string ToFts5(IReadOnlyList<CaptionPhrase> phrases) => string.Join(' ', phrases.Select(p => p.ToFts5()));

    /// <summary>
    /// The distinct phrases of the query, in the order they first appear; FTS5 requires every one. A
    /// phrase given again (the same tokens as FTS5 reads them, the same prefix star) is kept once with
    /// its <see cref="CaptionPhrase.Repeats"/> counted: requiring it twice finds the same rows, and the
    /// ranking weighs it by its repeats as FTS5's bm25() weighed each copy, so results and scores stay
    /// those of the query as typed ("photo" 1,000 times used to be 1,000 phrases for FTS5 to evaluate).
    /// </summary>
    /// <exception cref="CaptionQueryTooLargeException">Over <see cref="MaxCharacters"/> or <see cref="MaxTerms"/>.</exception>
    public static IReadOnlyList<CaptionPhrase> Parse(string text)
    {
        if (text.Length > MaxCharacters) throw new CaptionQueryTooLargeException($"it has {text.Length:N0} characters");
        var phrases = new List<CaptionPhrase>();
        var seen = new Dictionary<(string Tokens, bool Prefix), int>();
        int terms = 0;
        int i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            if (text[i] == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) end = text.Length;
                AddPhrase(phrases, seen, ref terms, text[(i + 1)..end], prefix: false);
                i = end + 1;
                continue;
            }
            int start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
            var word = text[start..i];
            bool prefix = word.EndsWith('*');
            AddPhrase(phrases, seen, ref terms, word.TrimEnd('*'), prefix);
        }
        if (terms > MaxTerms) throw new CaptionQueryTooLargeException($"it has {terms} distinct terms");
        return phrases;
    }

    private static void AddPhrase(List<CaptionPhrase> phrases, Dictionary<(string, bool), int> seen, ref int terms, string value, bool prefix)
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
        if (words.Length == 0) return;
        var tokens = CaptionTokens.Of(string.Join(' ', words));
        // A phrase FTS5 would read as no tokens at all (only marks) is no phrase.
        if (tokens.Length == 0) return;
        var key = (string.Join('\u0001', tokens), prefix);
        if (seen.TryGetValue(key, out int at))
        {
            phrases[at] = phrases[at] with { Repeats = phrases[at].Repeats + 1 };
            return;
        }
        seen[key] = phrases.Count;
        terms += tokens.Length;
        phrases.Add(new CaptionPhrase(string.Join(' ', words), prefix));
    }
}
