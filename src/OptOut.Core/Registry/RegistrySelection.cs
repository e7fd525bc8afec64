using OptOut.Core.Urls;

namespace OptOut.Core.Registry;

/// <summary>What an export writes (<see cref="IConsentRegistry.ReadSelection"/>), the same rule for every backend.</summary>
internal static class RegistrySelection
{
    /// <param name="read">Reads a filter's records; the flag asks for records selected by id in the order of the ids.</param>
    public static IEnumerable<StoredClaim> Select(IReadOnlyList<string>? ids, RecordFilter filter, IReadOnlyList<string>? urls, Func<RecordFilter, bool, IEnumerable<StoredClaim>> read)
    {
        if (ids is not null)
        {
            // An empty selection is empty: "nothing piped" never widens to the whole registry.
            if (ids.Count == 0) return [];
            filter = filter with { Ids = ids, IncludeRevoked = true };
        }
        if (urls is not { Count: > 0 }) return read(filter, true);
        if (ids is not null)
        {
            // Piped records keep their order: the URLs narrow them instead of driving the lookup.
            var wanted = urls.Select(u => UrlNormalizer.Normalize(u).Url).ToHashSet(StringComparer.Ordinal);
            return read(filter, true).Where(r => r.Kind == ClaimKind.Url && wanted.Contains(r.Target));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return urls.SelectMany(url => read(filter with { Url = url }, false)).Where(r => seen.Add(r.Id));
    }
}
