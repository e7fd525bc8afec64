using OptOut.Core.Index;
using OptOut.Core.Registry;
using OptOut.Core.Urls;

namespace OptOut.Core.Gate;

/// <summary>
/// A bit set of the hashes of refused domains, each hashed from its last character to its first,
/// so that one right-to-left pass over a host yields the hash of every suffix that starts at a
/// label ("com", "example.com", "cdn.example.com") and only those whose bit is set need a lookup.
/// </summary>
internal sealed class DomainSuffixFilter
{
    private const int Bits = 1 << 20;
    private readonly ulong[] bits = new ulong[Bits / 64];

    public void Add(string domain)
    {
        ulong hash = Offset;
        for (int i = domain.Length - 1; i >= 0; i--) hash = Step(hash, domain[i]);
        Set(hash);
    }

    /// <summary>Start positions (in <paramref name="host"/>) of the suffixes that may be refused, shortest first; at most the span's length.</summary>
    public int Candidates(ReadOnlySpan<char> host, Span<int> starts)
    {
        int count = 0;
        ulong hash = Offset;
        for (int i = host.Length - 1; i >= 0; i--)
        {
            hash = Step(hash, host[i]);
            if ((i == 0 || host[i - 1] == '.') && IsSet(hash) && count < starts.Length) starts[count++] = i;
        }
        return count;
    }

    // FNV-1a, 64 bits.
    private const ulong Offset = 14695981039346656037UL;
    private static ulong Step(ulong hash, char c) => (hash ^ c) * 1099511628211UL;

    private void Set(ulong hash) => bits[(hash >> 6) % (ulong)bits.Length] |= 1UL << (int)(hash & 63);

    private bool IsSet(ulong hash) => (bits[(hash >> 6) % (ulong)bits.Length] & (1UL << (int)(hash & 63))) != 0;
}
