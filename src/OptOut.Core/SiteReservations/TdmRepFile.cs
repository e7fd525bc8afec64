using System.Text;
using System.Text.Json;

namespace OptOut.Core.SiteReservations;

/// <summary>
/// W3C TDMRep's /.well-known/tdmrep.json: an array of rules { "location", "tdm-reservation" (0 or 1),
/// "tdm-policy" }. A location is a path pattern (as robots.txt's); the first rule whose location
/// matches a path decides it, and a path no rule matches carries no reservation.
/// </summary>
public static class TdmRepFile
{
    /// <summary>A tdmrep.json that reserves <paramref name="locations"/> (path patterns), pointing to <paramref name="policy"/> (a URL; null: none).</summary>
    public static string Write(IReadOnlyList<string> locations, string? policy)
    {
        if (policy is not null && !(Uri.TryCreate(policy, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"The TDM policy '{policy}' is not an http(s) address.");
        }
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var location in locations)
            {
                json.WriteStartObject();
                json.WriteString("location", location);
                json.WriteNumber("tdm-reservation", 1);
                if (policy is not null) json.WriteString("tdm-policy", policy);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <exception cref="InvalidDataException">Not a TDMRep rules array.</exception>
    internal static IReadOnlyList<TdmRepRule> Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException("tdmrep.json is not a JSON array of rules.");
            var rules = new List<TdmRepRule>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException("A tdmrep.json rule has no \"location\" string.");
                }
                var reserved = item.TryGetProperty("tdm-reservation", out var value) && value.ValueKind == JsonValueKind.Number && value.GetInt32() == 1;
                var policy = item.TryGetProperty("tdm-policy", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                rules.Add(new TdmRepRule(new PathPattern(location.GetString()!), reserved, policy));
            }
            return rules;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"tdmrep.json is not valid JSON: {e.Message}", e);
        }
    }

    internal static TdmRepRule? Decide(IReadOnlyList<TdmRepRule> rules, string path) => rules.FirstOrDefault(r => r.Location.Matches(path));
}
