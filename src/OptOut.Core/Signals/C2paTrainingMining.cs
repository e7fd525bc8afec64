using System.Text.Json;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the C2PA training-and-data-mining assertion (<c>c2pa.training-mining</c>, C2PA 1.x) and its
/// CAWG successor (<c>cawg.training-mining</c>) from a C2PA manifest store held in JUMBF:
/// store (<c>c2pa</c>) → manifests → assertion store (<c>c2pa.assertions</c>) → assertion, whose content
/// box is CBOR (usual) or JSON. Its <c>entries</c> map names a use (<c>c2pa.ai_training</c>, ...) and says
/// <c>allowed</c>, <c>notAllowed</c> or <c>constrained</c>; one signal is reported per entry.
/// <para>
/// The manifest's signature and hashes are NOT verified: the assertion is reported as found, so a
/// stripped or forged manifest is not detected. A reservation states a wish; it does not need to be
/// authenticated to be respected, but a caller that needs provenance must validate the manifest with a
/// C2PA validator.
/// </para>
/// </summary>
internal static class C2paTrainingMining
{
    private const string StoreLabel = "c2pa";
    private const string AssertionStoreLabel = "c2pa.assertions";
    private static readonly string[] AssertionLabels = ["c2pa.training-mining", "cawg.training-mining"];

    /// <summary>Entries (by the part after the namespace) whose refusal reserves training.</summary>
    private static readonly HashSet<string> TrainingUses = new(StringComparer.Ordinal)
    {
        "ai_training",
        "ai_generative_training",
        "data_mining", // text and data mining includes collecting works to train on
    };

    public static void Read(byte[] jumbf, string where, SignalCollector into)
    {
        foreach (var store in JumbfBoxes.Read(jumbf))
        {
            if (store.Label != StoreLabel) continue;
            var manifests = store.Children;
            for (var i = 0; i < manifests.Count; i++)
            {
                // The last manifest of the store is the active one, the asset's own; earlier ones belong
                // to ingredients it was made from. Their reservations are reported too: the work they
                // protect is still in this picture.
                var which = i == manifests.Count - 1
                    ? $"active manifest {manifests[i].Label}"
                    : $"earlier (ingredient) manifest {manifests[i].Label}";
                foreach (var assertions in manifests[i].Children.Where(c => c.Label == AssertionStoreLabel))
                {
                    foreach (var assertion in assertions.Children)
                    {
                        var label = BaseLabel(assertion.Label);
                        if (label is null || into.IsFull) continue;
                        try
                        {
                            ReadAssertion(assertion, label, $"{where}, {which}; C2PA signature not verified", into);
                        }
                        catch (Exception e) when (e is FormatException or JsonException)
                        {
                            // A damaged assertion is skipped; the store's other manifests may still be whole.
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The assertion label without the instance suffix C2PA adds to repeated assertions
    /// (<c>c2pa.training-mining__1</c>) or a version suffix (<c>.v2</c>); null when it is not one read here.
    /// </summary>
    private static string? BaseLabel(string label)
    {
        var instance = label.IndexOf("__", StringComparison.Ordinal);
        var bare = instance >= 0 ? label[..instance] : label;
        foreach (var known in AssertionLabels)
        {
            if (bare == known) return known;
            if (bare.StartsWith(known + ".v", StringComparison.Ordinal) && bare.Length > known.Length + 2 && bare[(known.Length + 2)..].All(char.IsAsciiDigit)) return known;
        }
        return null;
    }

    private static void ReadAssertion(JumbfSuperbox assertion, string label, string detail, SignalCollector into)
    {
        var content = assertion.ContentType switch
        {
            "cbor" => MinimalCbor.Decode(assertion.Content.Span),
            "json" => JsonToPlain(assertion.Content),
            _ => null,
        };
        if (content is not Dictionary<string, object?> root || !root.TryGetValue("entries", out var entriesValue)) return;
        if (entriesValue is not Dictionary<string, object?> entries) return;

        foreach (var (key, value) in entries)
        {
            var fields = value as Dictionary<string, object?>;
            var use = fields is not null && fields.TryGetValue("use", out var u) && u is string text ? text : "(no use given)";
            var info = fields is not null && fields.TryGetValue("constraint_info", out var c) && c is string constraint ? constraint : null;

            var refused = use is "notAllowed" or "constrained"; // constrained, without terms a reader can act on, counts as not allowed
            var usePart = key.Contains('.') ? key[(key.LastIndexOf('.') + 1)..] : key;
            var prohibits = refused && TrainingUses.Contains(usePart);

            var entryDetail = detail;
            if (use == "constrained") entryDetail += info is null ? "; constrained, no constraint_info given" : $"; constraint_info: \"{SignalLimits.Shorten(info)}\"";
            if (use is not ("allowed" or "notAllowed" or "constrained")) entryDetail += "; use not one of allowed, notAllowed, constrained";
            if (refused && !prohibits) entryDetail += "; this entry is not about training, so not counted as a training reservation";
            into.Add(new EmbeddedSignal($"C2PA {label}", SignalLimits.Shorten($"{key}={use}"), prohibits, entryDetail));
        }
    }

    /// <summary>JSON content in the same plain shape MinimalCbor gives (maps, lists, strings, numbers, booleans).</summary>
    private static object? JsonToPlain(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = SignalLimits.MaxStructureDepth });
        try
        {
            return Convert(document.RootElement);
        }
        catch (InvalidOperationException)
        {
            // JsonDocument checks a string (invalid UTF-8, a lone \ud800) only when it is read, and
            // then throws this rather than JsonException: the assertion is unreadable.
            return null;
        }

        static object? Convert(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().GroupBy(p => p.Name).ToDictionary(g => g.Key, g => Convert(g.Last().Value), StringComparer.Ordinal),
            JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetDouble(out var number) ? number : null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }
}
