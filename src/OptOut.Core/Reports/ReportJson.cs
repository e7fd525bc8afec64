using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using OptOut.Core.Matching;

namespace OptOut.Core.Reports;

/// <summary>
/// The JSON of one group's data block in the report (inside <c>&lt;script type="application/json"&gt;</c>):
/// the query, its work's thumbnail, and one object per match with the fields the decisions export plus
/// what its card shows (thumbnail, safe link, evidence). Written in pieces so a group streams out slice
/// by slice.
/// </summary>
/// <remarks>
/// The encoder escapes &lt;, &gt;, &amp;, quotes and + as \uXXXX, so no string from the data can write
/// <c>&lt;/script</c> or <c>&lt;!--</c> and end or confuse the block; other characters stay as they are.
/// </remarks>
internal static class ReportJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>Closes the list of matches and the group object that <see cref="GroupStart"/> opened.</summary>
    public const string GroupEnd = "\n]}";

    /// <summary>Opens a group: its query, the query's SHA-256 (image searches) and the work's thumbnail or why it is missing; the matches follow.</summary>
    public static string GroupStart(string query, string? querySha256, Thumbnail? work, string? workProblem)
    {
        var json = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("query", query);
            if (querySha256 is not null) w.WriteString("querySha256", querySha256);
            if (work is not null || workProblem is not null) Picture(w, "work", work, workProblem);
            w.WriteStartArray("matches");
            w.WriteEndArray();
            w.WriteEndObject();
        });
        // Reopen the (empty) list so the cards can be written into it one by one.
        return json[..^2];
    }

    /// <summary>One match: <paramref name="id"/> is its number in the report (the decisions' id).</summary>
    public static string Card(int id, ReportMatch m, Thumbnail? picture, string? problem, string? evidence) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("id", id);
        w.WriteString("dataset", m.Dataset);
        Text(w, "key", m.Key);
        Text(w, "url", m.Url);
        Text(w, "caption", m.Caption);
        if (m.Width is { } width) w.WriteNumber("width", width);
        if (m.Height is { } height) w.WriteNumber("height", height);
        w.WriteString("matchKind", m.MatchKind);
        if (m.Similarity is { } similarity && double.IsFinite(similarity)) w.WriteNumber("similarity", similarity);
        if (m.HashDistance is { } distance) w.WriteNumber("hashDistance", distance);
        Text(w, "sha256", m.Sha256);
        // The only URL the page may link: decided here, the script links nothing else.
        Text(w, "href", HtmlText.SafeHref(m.Url));
        if (m.Image is not null) Picture(w, "pic", picture, problem);
        if (m.Verification is { } v)
        {
            w.WriteStartObject("v");
            w.WriteBoolean("ok", v.IsVerified);
            Text(w, "text", evidence);
            Region(w, "q", v.QueryRegion);
            Region(w, "c", v.CandidateRegion);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    private static void Picture(Utf8JsonWriter w, string name, Thumbnail? t, string? problem)
    {
        w.WriteStartObject(name);
        if (t is null)
        {
            w.WriteString("problem", problem ?? "unavailable");
        }
        else
        {
            w.WriteString("src", t.Source);
            w.WriteNumber("w", t.Width);
            w.WriteNumber("h", t.Height);
            w.WriteNumber("ow", t.OriginalWidth);
            w.WriteNumber("oh", t.OriginalHeight);
        }
        w.WriteEndObject();
    }

    private static void Region(Utf8JsonWriter w, string name, ImageRegion r)
    {
        if (r.IsEmpty) return;
        w.WriteStartArray(name);
        w.WriteNumberValue(r.X);
        w.WriteNumberValue(r.Y);
        w.WriteNumberValue(r.Width);
        w.WriteNumberValue(r.Height);
        w.WriteEndArray();
    }

    private static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Options)) write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
