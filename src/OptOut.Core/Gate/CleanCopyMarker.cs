using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptOut.Core.Gate;

/// <summary>
/// The file written into every clean copy (<see cref="FileName"/>): what wrote it, from which
/// source, when. Export-CleanTrainingSet -Force replaces only a folder that holds one, so it never
/// deletes a folder of the user's that merely has the destination's name.
/// </summary>
public sealed record CleanCopyMarker
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Name of the marker file at the root of a clean copy.</summary>
    public const string FileName = ".optout-clean-copy.json";
    /// <summary>The <see cref="Format"/> every OptOut marker carries.</summary>
    public const string FormatName = "OptOut clean training-set copy";
    /// <summary>The marker version this build writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Always <see cref="FormatName"/> in a marker OptOut wrote.</summary>
    [JsonPropertyName("format")]
    public string Format { get; init; } = FormatName;

    /// <summary>The marker's version.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Full path of the training set the copy was made from.</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    /// <summary>The gate policy the copy was checked under ("OptOut" or "OptIn").</summary>
    [JsonPropertyName("policy")]
    public string Policy { get; init; } = "";

    /// <summary>When the copy was made, UTC, ISO 8601.</summary>
    [JsonPropertyName("created")]
    public string Created { get; init; } = "";

    /// <summary>A marker for a copy of <paramref name="source"/> checked under <paramref name="policy"/>, made now.</summary>
    public static CleanCopyMarker For(string source, string policy) => new()
    {
        Source = ReportText.ForJson(Path.GetFullPath(source)),
        Policy = policy,
        Created = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    /// <summary>The marker of the folder, or null when it has none (or one that is not OptOut's).</summary>
    public static CleanCopyMarker? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.LinkTarget is not null || info.Length > 64 * 1024) return null;
            var marker = JsonSerializer.Deserialize<CleanCopyMarker>(File.ReadAllBytes(path));
            return marker is { Format: FormatName } ? marker : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the marker as <see cref="FileName"/> into <paramref name="folder"/>.</summary>
    public void WriteInto(string folder) =>
        File.WriteAllBytes(Path.Combine(folder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Indented));
}
