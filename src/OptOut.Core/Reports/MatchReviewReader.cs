using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OptOut.Core.Reports;

/// <summary>
/// Reads the decisions a match report exports (decisions.json or decisions.csv). Anything that is not
/// such a file, or a decision other than "mine" / "not-mine", is refused with the line or entry named:
/// a review decides what is opted out, so nothing in it is guessed.
/// </summary>
public static class MatchReviewReader
{
    /// <summary>The "format" of the JSON the report writes.</summary>
    public const string Format = "optout-match-review";

    private static readonly string[] RequiredColumns = ["id", "decision", "query", "dataset", "matchKind"];

    /// <summary>Reads a review file, JSON or CSV by its first character.</summary>
    public static IReadOnlyList<ReviewDecision> Read(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        var start = text.AsSpan().TrimStart();
        return start.Length > 0 && start[0] == '{' ? ReadJson(text, path) : ReadCsv(text, path);
    }

    /// <summary>Reads the JSON the report's "Export decisions (JSON)" button writes.</summary>
    public static IReadOnlyList<ReviewDecision> ReadJson(string text, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
            {
                throw new InvalidDataException($"'{path}' is not a match review: its \"format\" is not \"{Format}\". Export the decisions from the report's page.");
            }
            if (root.TryGetProperty("version", out var version) && (version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1))
            {
                throw new InvalidDataException($"'{path}' is a match review of version {version}; this OptOut reads version 1.");
            }
            if (!root.TryGetProperty("decisions", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"'{path}' has no \"decisions\" list.");
            }
            var decisions = new List<ReviewDecision>();
            var n = 0;
            foreach (var item in list.EnumerateArray())
            {
                n++;
                if (item.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"'{path}': decision {n} is not an object.");
                string? Get(string name) => item.TryGetProperty(name, out var p) ? p.ValueKind switch
                {
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.String => p.GetString(),
                    JsonValueKind.Number => p.GetRawText(),
                    _ => throw new InvalidDataException($"'{path}': decision {n} has a {p.ValueKind} for \"{name}\"."),
                } : null;
                decisions.Add(Build(Get, $"'{path}': decision {n}"));
            }
            return decisions;
        }
    }

    /// <summary>Reads the CSV the report's "Export decisions (CSV)" button writes (RFC 4180, a header row).</summary>
    public static IReadOnlyList<ReviewDecision> ReadCsv(string text, string path)
    {
        var rows = ParseCsv(text, path);
        if (rows.Count == 0) throw new InvalidDataException($"'{path}' is empty: it is not a match review.");
        var header = rows[0];
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++) columns[header[i].Trim()] = i;
        var missing = RequiredColumns.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"'{path}' is not a match review: it has no {string.Join(", ", missing)} column{(missing.Count == 1 ? "" : "s")}. Export the decisions from the report's page.");
        }
        var decisions = new List<ReviewDecision>();
        for (var r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Count == 1 && row[0].Length == 0) continue; // a blank line
            string? Get(string name)
            {
                if (!columns.TryGetValue(name, out var i) || i >= row.Count || row[i].Length == 0) return null;
                var v = row[i];
                // The page puts an apostrophe before a cell a spreadsheet would run as a formula.
                return v.Length > 1 && v[0] == '\'' && "=+-@\t\r".Contains(v[1]) ? v[1..] : v;
            }
            decisions.Add(Build(Get, $"'{path}' line {r + 1}"));
        }
        return decisions;
    }

    private static ReviewDecision Build(Func<string, string?> get, string where)
    {
        var decision = get("decision");
        bool isMine = decision switch
        {
            "mine" => true,
            "not-mine" => false,
            _ => throw new InvalidDataException($"{where}: the decision '{decision}' is neither 'mine' nor 'not-mine'."),
        };
        string Required(string name) => get(name) is { Length: > 0 } v ? v : throw new InvalidDataException($"{where} has no {name}.");
        return new ReviewDecision
        {
            Id = Number(get("id"), where, "id", long.Parse) ?? throw new InvalidDataException($"{where} has no id."),
            IsMine = isMine,
            Match = new ReportMatch
            {
                Query = Required("query"),
                QuerySha256 = get("querySha256"),
                Dataset = Required("dataset"),
                Key = get("key"),
                Url = get("url"),
                Caption = get("caption"),
                Width = Number(get("width"), where, "width", int.Parse),
                Height = Number(get("height"), where, "height", int.Parse),
                MatchKind = Required("matchKind"),
                Similarity = Number(get("similarity"), where, "similarity", double.Parse),
                HashDistance = Number(get("hashDistance"), where, "hashDistance", int.Parse),
                Sha256 = get("sha256"),
            },
        };
    }

    private static T? Number<T>(string? text, string where, string name, Func<string, IFormatProvider, T> parse) where T : struct
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new InvalidDataException($"{where}: {name} '{text}' is not a number.", e);
        }
    }

    private static List<List<string>> ParseCsv(string text, string path)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF') i = 1;
        var quoted = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                    else quoted = false;
                }
                else cell.Append(c);
                continue;
            }
            switch (c)
            {
                case '"' when cell.Length == 0: quoted = true; break;
                case ',': row.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n': row.Add(cell.ToString()); cell.Clear(); rows.Add(row); row = []; break;
                default: cell.Append(c); break;
            }
        }
        if (quoted) throw new InvalidDataException($"'{path}' ends inside a quoted CSV cell: the file is truncated.");
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row); }
        return rows;
    }
}
