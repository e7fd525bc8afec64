using System.Globalization;
using System.Text;

namespace OptOut.Core.Index;

/// <summary>
/// A caption split into tokens the way the caption file's FTS5 tokenizer splits it
/// (<c>unicode61 remove_diacritics 2</c>): runs of letters, numbers and private-use characters,
/// folded to lower case, Latin letters without their diacritics. Used to score every match of an
/// uncapped caption search from the caption text the search reads anyway, instead of asking FTS5
/// for bm25() row by row (docs/index-benchmarks.md). The instance keeps its buffers between
/// captions, so tokenizing a million captions allocates nothing per caption.
/// </summary>
/// <remarks>
/// Where this differs from SQLite's tables (characters outside Latin whose folding or category changed
/// between Unicode versions) only a score moves; which rows match is always FTS5's decision.
/// CaptionTokensTests compares token by token with FTS5 on real captions.
/// </remarks>
internal sealed class CaptionTokens
{
    private char[] text = new char[256];
    private int[] starts = new int[32];
    private int[] lengths = new int[32];
    private int used;

    /// <summary>Tokens in the caption last given to <see cref="Read"/>.</summary>
    public int Count { get; private set; }

    public ReadOnlySpan<char> this[int index] => text.AsSpan(starts[index], lengths[index]);

    public static string[] Of(string value)
    {
        var tokens = new CaptionTokens();
        tokens.Read(value);
        return Enumerable.Range(0, tokens.Count).Select(i => tokens[i].ToString()).ToArray();
    }

    public void Read(ReadOnlySpan<char> caption)
    {
        Count = 0;
        used = 0;
        bool inToken = false;
        int i = 0;
        while (i < caption.Length)
        {
            char c = caption[i];
            if (c < 0x80)
            {
                i++;
                if ((uint)(c - 'a') < 26 || (uint)(c - '0') < 10) Append(c, ref inToken);
                else if ((uint)(c - 'A') < 26) Append((char)(c + ('a' - 'A')), ref inToken);
                else inToken = false;
                continue;
            }
            Rune.DecodeFromUtf16(caption[i..], out var rune, out int length);
            i += length;
            var category = Rune.GetUnicodeCategory(rune);
            if (IsTokenCategory(category) || IsUnknownToUnicode61(rune.Value)) AppendFolded(rune, ref inToken);
            // A combining diacritic inside a token is part of it (and folded away); anywhere else it separates.
            else if (!(inToken && IsDiacritic(rune, category))) inToken = false;
        }
    }

    /// <summary>
    /// How many times <paramref name="phrase"/> occurs: consecutive tokens equal to the phrase's, the
    /// last one only starting with it when <paramref name="prefix"/> (FTS5's <c>"a b"*</c>).
    /// </summary>
    public int Occurrences(string[] phrase, bool prefix)
    {
        int found = 0;
        for (int start = 0; start + phrase.Length <= Count; start++)
        {
            bool match = true;
            for (int j = 0; j < phrase.Length && match; j++)
            {
                var token = this[start + j];
                match = prefix && j == phrase.Length - 1
                    ? token.StartsWith(phrase[j], StringComparison.Ordinal)
                    : token.SequenceEqual(phrase[j]);
            }
            if (match) found++;
        }
        return found;
    }

    // unicode61's default token characters: categories L*, N* and Co.
    private static bool IsTokenCategory(UnicodeCategory category) =>
        category <= UnicodeCategory.OtherLetter
        || category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
        || category == UnicodeCategory.PrivateUse;

    // SQLite's tables are Unicode 6.1's, and code points assigned later are token characters there:
    // the emoji blocks added since (U+1F900..U+1FAFF) and the skin-tone modifiers are the ones captions carry.
    private static bool IsUnknownToUnicode61(int codePoint) =>
        codePoint is (>= 0x1F900 and <= 0x1FAFF) or (>= 0x1F3FB and <= 0x1F3FF);

    // SQLite's diacritic table is the combining marks of U+0300..U+036F.
    private static bool IsDiacritic(Rune rune, UnicodeCategory category) =>
        category == UnicodeCategory.NonSpacingMark && rune.Value is >= 0x300 and <= 0x36F;

    private void AppendFolded(Rune rune, ref bool inToken)
    {
        var lower = Fold(rune);
        Span<char> units = stackalloc char[2];
        int count = lower.EncodeToUtf16(units);
        // remove_diacritics 2 strips them from Latin letters only (SQLite's table covers U+00C0..U+024F and U+1E00..U+1EFF).
        if (lower.Value is (>= 0xC0 and <= 0x24F) or (>= 0x1E00 and <= 0x1EFF))
        {
            var decomposed = lower.ToString().Normalize(NormalizationForm.FormD);
            if (decomposed.Length > 0 && decomposed[0] < 0x250 && !char.IsSurrogate(decomposed[0]))
            {
                Append(decomposed[0], ref inToken);
                return;
            }
        }
        for (int k = 0; k < count; k++) Append(units[k], ref inToken);
    }

    /// <summary>Case folding: lower case, except where Unicode's simple folding maps a letter elsewhere (SQLite folds).</summary>
    private static Rune Fold(Rune rune) => rune.Value switch
    {
        0x130 => new Rune('i'),          // capital I with dot above
        0xB5 => new Rune(0x3BC),         // micro sign -> mu
        0x17F => new Rune('s'),          // long s
        0x345 => new Rune(0x3B9),        // combining ypogegrammeni -> iota
        0x3C2 => new Rune(0x3C3),        // final sigma
        0x3D0 => new Rune(0x3B2),
        0x3D1 => new Rune(0x3B8),
        0x3D5 => new Rune(0x3C6),
        0x3D6 => new Rune(0x3C0),
        0x3F0 => new Rune(0x3BA),
        0x3F1 => new Rune(0x3C1),
        0x3F5 => new Rune(0x3B5),        // lunate epsilon
        0x1E9B => new Rune(0x1E61),
        0x1FBE => new Rune(0x3B9),
        _ => Rune.ToLowerInvariant(rune),
    };

    private void Append(char c, ref bool inToken)
    {
        if (!inToken)
        {
            if (Count == starts.Length)
            {
                Array.Resize(ref starts, Count * 2);
                Array.Resize(ref lengths, Count * 2);
            }
            starts[Count] = used;
            lengths[Count] = 0;
            Count++;
            inToken = true;
        }
        if (used == text.Length) Array.Resize(ref text, used * 2);
        text[used++] = c;
        lengths[Count - 1]++;
    }
}
