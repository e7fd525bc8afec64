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

    public const string FileName = ".optout-clean-copy.json";
    public const string FormatName = "OptOut clean training-set copy";
    public const int CurrentVersion = 1;

    [JsonPropertyName("format")]
    public string Format { get; init; } = FormatName;

    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    [JsonPropertyName("policy")]
    public string Policy { get; init; } = "";

    [JsonPropertyName("created")]
    public string Created { get; init; } = "";

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

    public void WriteInto(string folder) =>
        File.WriteAllBytes(Path.Combine(folder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Indented));
}
