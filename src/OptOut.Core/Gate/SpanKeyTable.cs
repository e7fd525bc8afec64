using System.Text;

namespace OptOut.Core.Gate;

/// <summary>
/// A string-keyed table looked up with spans, so checking millions of dataset rows allocates no
/// string per row (.NET 8 has no span lookup on Dictionary). Keys live once, as UTF-8, in one byte
/// arena: a million refused URLs cost about their text length, not a string object each. Open
/// addressing with the hash beside the entry number in one slot: a row whose URL is not in the
/// table (nearly all of them) costs one memory access, not a chain of them. The hash is .NET's
/// randomised string hash, so crafted URLs cannot force collisions. Adding a key twice keeps the
/// first value (the oldest claim: claims are added in order).
/// </summary>
internal sealed class SpanKeyTable
{
    private ulong[] slots = new ulong[16];    // (hash << 32) | (entry + 1); 0 = empty
    private Entry[] entries = new Entry[8];
    private byte[] arena = new byte[1024];
    private long arenaUsed;

    private record struct Entry(long Offset, int Length, int Value);

    public int Count { get; private set; }

    public void Add(string key, int value)
    {
        if (Find(key) >= 0) return;
        if ((Count + 1) * 2 > slots.Length) Rehash(slots.Length * 2);
        if (Count == entries.Length) Array.Resize(ref entries, Math.Max(8, entries.Length * 2));
        int byteCount = Encoding.UTF8.GetByteCount(key);
        while (arenaUsed + byteCount > arena.Length)
        {
            Array.Resize(ref arena, (int)Math.Min(Array.MaxLength, Math.Max(1024, arena.Length * 2L)));
        }
        Encoding.UTF8.GetBytes(key, arena.AsSpan((int)arenaUsed, byteCount));
        int entry = Count++;
        entries[entry] = new Entry(arenaUsed, byteCount, value);
        arenaUsed += byteCount;
        Place(string.GetHashCode(key.AsSpan()), entry);
    }

    /// <summary>The value stored for the key, or -1.</summary>
    public int Find(ReadOnlySpan<char> key)
    {
        if (Count == 0) return -1;
        int hash = string.GetHashCode(key);
        int mask = slots.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            ulong slot = slots[i];
            if (slot == 0) return -1;
            if ((int)(slot >> 32) == hash)
            {
                var entry = entries[(int)(uint)slot - 1];
                if (KeyEquals(entry, key)) return entry.Value;
            }
        }
    }

    private bool KeyEquals(Entry entry, ReadOnlySpan<char> key)
    {
        var stored = arena.AsSpan((int)entry.Offset, entry.Length);
        if (Ascii.IsValid(key)) return stored.Length == key.Length && Ascii.Equals(stored, key);
        int byteCount = Encoding.UTF8.GetByteCount(key);
        if (byteCount != stored.Length) return false;
        var buffer = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(key, buffer);
        return buffer.SequenceEqual(stored);
    }

    private void Place(int hash, int entry)
    {
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = ((ulong)(uint)hash << 32) | (uint)(entry + 1);
    }

    private void Rehash(int size)
    {
        var old = slots;
        slots = new ulong[size];
        foreach (var slot in old)
        {
            if (slot != 0) Place((int)(slot >> 32), (int)(uint)slot - 1);
        }
    }

    /// <summary>Gives back the room growth left over (the arena doubles as keys are added).</summary>
    public void TrimExcess()
    {
        Array.Resize(ref arena, (int)Math.Max(arenaUsed, 1));
        Array.Resize(ref entries, Math.Max(Count, 1));
    }
}
