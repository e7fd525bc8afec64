using System.Text.Json;
using System.Text.RegularExpressions;

namespace OptOut.Core.Tests.Reports;

/// <summary>The data blocks of a written report (one per group), parsed as the page's script parses them.</summary>
internal static partial class ReportData
{
    [GeneratedRegex("<script type=\"application/json\" class=\"group-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Block();

    /// <summary>The raw JSON text of each group's block, in page order.</summary>
    public static List<string> Blocks(string html) => Block().Matches(html).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Each group's parsed block.</summary>
    public static List<JsonElement> Groups(string html) => Blocks(html).Select(b => JsonDocument.Parse(b).RootElement.Clone()).ToList();

    /// <summary>Every match's object, in page order.</summary>
    public static List<JsonElement> Cards(string html) => Groups(html).SelectMany(g => g.GetProperty("matches").EnumerateArray()).ToList();

    /// <summary>The page without its data blocks and its own script: the HTML written from the data.</summary>
    public static string WithoutScripts(string html) => Regex.Replace(html, "<script[^>]*>.*?</script>", "", RegexOptions.Singleline);

    public static string? Text(this JsonElement e, string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
