using System.Buffers.Binary;
using System.Text;

namespace OptOut.Core.Signals;

/// <summary>
/// Decodes the subset of CBOR (RFC 8949) that C2PA assertions use into plain values: maps become
/// <see cref="Dictionary{TKey,TValue}"/> keyed by text (integer keys as their decimal text), arrays
/// <see cref="List{T}"/>, text <see cref="string"/>, byte strings <see cref="byte"/>[], integers
/// <see cref="long"/> (or <see cref="double"/> past its range), floats <see cref="double"/>, and
/// true/false/null. Tags are skipped (their content is kept). Definite and indefinite lengths are read.
/// Bounded: nesting depth and item count are capped, and every length is checked against the bytes
/// left before anything is allocated, so a forged length cannot allocate more than the input's size.
/// </summary>
internal ref struct MinimalCbor
{
    private const byte Break = 0xFF;
    private readonly ReadOnlySpan<byte> data;
    private int pos;
    private int itemsLeft;

    private MinimalCbor(ReadOnlySpan<byte> data)
    {
        this.data = data;
        pos = 0;
        itemsLeft = SignalLimits.MaxCborItems;
    }

    /// <summary>The first item of <paramref name="data"/>; throws <see cref="CborFormatException"/> when it is not well-formed.</summary>
    public static object? Decode(ReadOnlySpan<byte> data)
    {
        var reader = new MinimalCbor(data);
        return reader.ReadItem(0);
    }

    private object? ReadItem(int depth)
    {
        if (depth > SignalLimits.MaxStructureDepth) throw new CborFormatException("CBOR nested too deeply.");
        if (--itemsLeft < 0) throw new CborFormatException("Too many CBOR items.");
        var initial = ReadByte();
        var major = initial >> 5;
        var info = initial & 0x1F;

        switch (major)
        {
            case 0: return ToNumber(ReadArgument(info));
            case 1: var n = ReadArgument(info); return n <= long.MaxValue ? -1 - (long)n : (object)(-1.0 - n);
            case 2: return info == 31 ? ReadIndefiniteString(2) : ReadBytes(ReadLength(info)).ToArray();
            case 3: return info == 31 ? ReadIndefiniteString(3) : DecodeText(ReadBytes(ReadLength(info)));
            case 4: return ReadArray(info, depth);
            case 5: return ReadMap(info, depth);
            case 6: ReadArgument(info); return ReadItem(depth + 1); // a tag: keep what it tags
            default: return ReadSimple(info);
        }
    }

    private List<object?> ReadArray(int info, int depth)
    {
        var items = new List<object?>();
        if (info == 31)
        {
            while (!AtBreak()) items.Add(ReadItem(depth + 1));
            pos++;
            return items;
        }
        var count = ReadLength(info); // ReadLength has checked there are at least that many bytes
        for (var i = 0; i < count; i++) items.Add(ReadItem(depth + 1));
        return items;
    }

    private Dictionary<string, object?> ReadMap(int info, int depth)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (info == 31)
        {
            while (!AtBreak()) AddEntry(map, depth);
            pos++;
            return map;
        }
        var count = ReadLength(info);
        for (var i = 0; i < count; i++) AddEntry(map, depth);
        return map;
    }

    private void AddEntry(Dictionary<string, object?> map, int depth)
    {
        var key = ReadItem(depth + 1);
        var value = ReadItem(depth + 1);
        var text = key switch
        {
            string s => s,
            long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null, // other key types do not occur in the assertions read here
        };
        if (text is not null) map[text] = value;
    }

    private object? ReadSimple(int info)
    {
        switch (info)
        {
            case 20: return false;
            case 21: return true;
            case 22: case 23: return null; // null, undefined
            case 24: ReadByte(); return null; // other simple value
            case 25: return (double)BinaryPrimitives.ReadHalfBigEndian(ReadBytes(2));
            case 26: return (double)BinaryPrimitives.ReadSingleBigEndian(ReadBytes(4));
            case 27: return BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8));
            case 31: throw new CborFormatException("Unexpected CBOR break.");
            default:
                if (info < 20) return null; // unassigned simple value
                throw new CborFormatException("Reserved CBOR simple value.");
        }
    }

    /// <summary>Chunks of definite strings of the same major type, up to a break.</summary>
    private object ReadIndefiniteString(int major)
    {
        using var joined = new MemoryStream();
        while (!AtBreak())
        {
            if (--itemsLeft < 0) throw new CborFormatException("Too many CBOR items.");
            var initial = ReadByte();
            if (initial >> 5 != major || (initial & 0x1F) == 31) throw new CborFormatException("Bad chunk in an indefinite CBOR string.");
            var chunk = ReadBytes(ReadLength(initial & 0x1F));
            joined.Write(chunk);
        }
        pos++;
        return major == 2 ? joined.ToArray() : DecodeText(joined.GetBuffer().AsSpan(0, (int)joined.Length));
    }

    private bool AtBreak()
    {
        if (pos >= data.Length) throw new CborFormatException("CBOR ends inside an indefinite-length item.");
        return data[pos] == Break;
    }

    /// <summary>A length argument, which must fit in the bytes that are left (each element or byte takes at least one).</summary>
    private int ReadLength(int info)
    {
        var length = ReadArgument(info);
        if (length > (ulong)(data.Length - pos)) throw new CborFormatException("CBOR length runs past the end of the data.");
        return (int)length;
    }

    private ulong ReadArgument(int info) => info switch
    {
        < 24 => (ulong)info,
        24 => ReadByte(),
        25 => BinaryPrimitives.ReadUInt16BigEndian(ReadBytes(2)),
        26 => BinaryPrimitives.ReadUInt32BigEndian(ReadBytes(4)),
        27 => BinaryPrimitives.ReadUInt64BigEndian(ReadBytes(8)),
        _ => throw new CborFormatException("Reserved or indefinite CBOR argument where a number is needed."),
    };

    private byte ReadByte()
    {
        if (pos >= data.Length) throw new CborFormatException("CBOR data ends early.");
        return data[pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > data.Length - pos) throw new CborFormatException("CBOR data ends early.");
        var bytes = data.Slice(pos, count);
        pos += count;
        return bytes;
    }

    // Boxed on each arm: a conditional of long and double would make every integer a double.
    // Boxed on purpose: a CBOR number becomes a JSON-like value (long, else double) beside strings and maps.
#pragma warning disable CA1859
    private static object ToNumber(ulong value) => value <= long.MaxValue ? (long)value : (object)(double)value;
#pragma warning restore CA1859

    private static string DecodeText(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new CborFormatException("CBOR text is not valid UTF-8.");
        }
    }
}
