using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;

namespace OptOut.Core.Index;

/// <summary>
/// A caption split into tokens exactly as the caption file's FTS5 tokenizer splits it
/// (<see cref="CaptionIndex.Tokenizer"/>). Used to score every match of an uncapped caption search from
/// the caption text the search reads anyway, instead of asking FTS5 for bm25() row by row
/// (docs/index-benchmarks.md). The instance keeps its buffers between captions, so tokenizing a
/// million captions allocates nothing per caption.
/// </summary>
/// <remarks>
/// ASCII is known (letters and digits are token characters, A-Z folds to a-z). For every other
/// character what SQLite does depends on its own Unicode 6.1 tables (categories, case folding, which
/// diacritics it drops), which .NET's newer Unicode data does not reproduce (about 4,000 assigned code
/// points differ: later emoji are token characters there, some combining marks separate tokens, some
/// Latin letters keep their marks). So the treatment of each character is learned from SQLite itself,
/// a page of 256 code points at a time when a caption first holds one, and kept for the process
/// (<see cref="CodePoints"/>). CaptionRankingTests compares token by token with FTS5 over every code
/// point to U+2FFFF and over real LAION captions.
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

    /// <summary>True when FTS5 keeps the character in a token (it starts or continues one).</summary>
    public static bool IsTokenCharacter(Rune rune) =>
        rune.Value < 0x80 ? char.IsAsciiLetterOrDigit((char)rune.Value) : CodePoints.Of(rune.Value).Kind != CodePoints.Kind.Separator;

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
            var rule = CodePoints.Of(rune.Value);
            // A token starts only at a token character; a combining mark may continue one (and mostly folds to nothing).
            if (rule.Kind == CodePoints.Kind.Token || (inToken && rule.Kind == CodePoints.Kind.ContinuesOnly))
            {
                foreach (var folded in rule.Fold) Append(folded, ref inToken);
                inToken = true;
            }
            else
            {
                inToken = false;
            }
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

    /// <summary>What the caption file's tokenizer does with each non-ASCII code point, learned from SQLite.</summary>
    internal static class CodePoints
    {
        public enum Kind : byte { Separator, Token, ContinuesOnly }

        public readonly record struct Rule(Kind Kind, string Fold);

        private const int PageBits = 8;
        private static readonly Rule[]?[] pages = new Rule[]?[0x110000 >> PageBits];
        private static readonly object learning = new();

        public static Rule Of(int codePoint)
        {
            var page = Volatile.Read(ref pages[codePoint >> PageBits]) ?? Learn(codePoint >> PageBits);
            return page[codePoint & ((1 << PageBits) - 1)];
        }

        /// <summary>
        /// Tokenizes, in an in-memory FTS5 table with the caption file's tokenizer, "a" + c + "b" and
        /// c + "b" for each code point c of the page and reads the tokens back (fts5vocab): "a", "b" = c
        /// separates; one token "a" F "b" = c stays in a token, folded to F; and c + "b" giving F + "b" =
        /// c may also start one (else it only continues one, as a combining mark does).
        /// </summary>
        private static Rule[] Learn(int page)
        {
            lock (learning)
            {
                if (Volatile.Read(ref pages[page]) is { } known) return known;
                int first = page << PageBits, count = 1 << PageBits;
                var tokens = new Dictionary<long, SortedDictionary<int, string>>();
                using (var connection = new SqliteConnection("Data Source=:memory:;Pooling=False"))
                {
                    connection.Open();
                    SqliteSetup.Execute(connection, $"""
                        CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{CaptionIndex.Tokenizer}');
                        CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);
                        """);
                    using (var transaction = connection.BeginTransaction())
                    using (var insert = new BulkStatement(connection, "INSERT INTO t(rowid, x) VALUES (?1, ?2)"))
                    {
                        for (int k = 0; k < count; k++)
                        {
                            if (!Rune.IsValid(first + k)) continue;
                            var c = new Rune(first + k).ToString();
                            insert.Bind(1, 2L * k + 1);
                            insert.Bind(2, "a" + c + "b");
                            insert.Run();
                            insert.Bind(1, 2L * k + 2);
                            insert.Bind(2, c + "b");
                            insert.Run();
                        }
                        transaction.Commit();
                    }
                    using var read = connection.CreateCommand();
                    read.CommandText = "SELECT doc, offset, term FROM v";
                    using var reader = read.ExecuteReader();
                    while (reader.Read())
                    {
                        long doc = reader.GetInt64(0);
                        if (!tokens.TryGetValue(doc, out var terms)) tokens[doc] = terms = new();
                        terms[reader.GetInt32(1)] = reader.GetString(2);
                    }
                }
                var rules = new Rule[count];
                for (int k = 0; k < count; k++)
                {
                    var inside = tokens.GetValueOrDefault(2L * k + 1)?.Values.ToArray() ?? [];
                    var atStart = tokens.GetValueOrDefault(2L * k + 2)?.Values.ToArray() ?? [];
                    rules[k] = inside is [var one] && one.Length >= 2 && one[0] == 'a' && one[^1] == 'b'
                        ? (one[1..^1] is var fold && fold.Length > 0 && atStart is [var started] && started == fold + "b"
                            ? new Rule(Kind.Token, fold)
                            : new Rule(Kind.ContinuesOnly, fold))
                        : new Rule(Kind.Separator, "");
                }
                Volatile.Write(ref pages[page], rules);
                return rules;
            }
        }
    }
}
