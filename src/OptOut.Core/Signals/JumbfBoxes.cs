using System.Buffers.Binary;
using System.Text;

namespace OptOut.Core.Signals;

/// <summary>
/// Walks JUMBF boxes. A box is a 4-byte big-endian length (covering its 8-byte header; 1 = a 64-bit
/// length follows; 0 = to the end of the enclosing box) and a 4-character type. Lengths are checked
/// against the enclosing box: a box that claims more than is there is cut to what is there, a length
/// below the header size ends the walk of that level. Depth and box count are capped.
/// </summary>
internal static class JumbfBoxes
{
    // jumd: 16-byte content-type UUID, a toggles byte, then the NUL-terminated label when bit 0x02 is set.
    private const int DescriptionFixedLength = 16 + 1;
    private const byte LabelPresent = 0x02;
    private const int MaxLabelBytes = 1024;

    /// <summary>The superboxes at the top level of <paramref name="data"/>.</summary>
    public static List<JumbfSuperbox> Read(ReadOnlyMemory<byte> data)
    {
        var budget = new BoxBudget { Left = SignalLimits.MaxJumbfBoxes };
        var top = new List<JumbfSuperbox>();
        foreach (var (type, payload) in Boxes(data, budget))
        {
            if (type == "jumb") top.Add(ReadSuperbox(payload, 1, budget));
        }
        return top;
    }

    private static JumbfSuperbox ReadSuperbox(ReadOnlyMemory<byte> payload, int depth, BoxBudget budget)
    {
        string? label = null;
        var children = new List<JumbfSuperbox>();
        string? contentType = null;
        ReadOnlyMemory<byte> content = default;
        foreach (var (type, body) in Boxes(payload, budget))
        {
            if (type == "jumd" && label is null) label = DescriptionLabel(body.Span);
            else if (type == "jumb") { if (depth < SignalLimits.MaxJumbfDepth) children.Add(ReadSuperbox(body, depth + 1, budget)); }
            else if (contentType is null) { contentType = type; content = body; }
        }
        var box = new JumbfSuperbox { Label = label ?? "", ContentType = contentType, Content = content };
        box.Children.AddRange(children);
        return box;
    }

    private static IEnumerable<(string Type, ReadOnlyMemory<byte> Payload)> Boxes(ReadOnlyMemory<byte> data, BoxBudget budget)
    {
        var pos = 0L;
        while (pos + 8 <= data.Length && budget.Left > 0)
        {
            budget.Left--;
            var span = data.Span;
            var length = (long)BinaryPrimitives.ReadUInt32BigEndian(span.Slice((int)pos, 4));
            var type = Encoding.ASCII.GetString(span.Slice((int)pos + 4, 4));
            var header = 8;
            if (length == 1)
            {
                if (pos + 16 > data.Length) yield break;
                var extended = BinaryPrimitives.ReadUInt64BigEndian(span.Slice((int)pos + 8, 8));
                length = extended > (ulong)data.Length ? data.Length - pos + 1 : (long)extended; // over-long: cut below
                header = 16;
            }
            else if (length == 0)
            {
                length = data.Length - pos;
            }
            if (length < header) yield break;

            var end = Math.Min(data.Length, pos + length);
            yield return (type, data[(int)(pos + header)..(int)end]);
            pos = end;
        }
    }

    /// <summary>Boxes still allowed for the whole store, shared by every level of the walk.</summary>
    private sealed class BoxBudget
    {
        public int Left;
    }

    private static string? DescriptionLabel(ReadOnlySpan<byte> description)
    {
        if (description.Length <= DescriptionFixedLength) return null;
        if ((description[16] & LabelPresent) == 0) return null;
        var rest = description[DescriptionFixedLength..];
        var nul = rest.IndexOf((byte)0);
        var label = nul < 0 ? rest : rest[..nul];
        if (label.Length > MaxLabelBytes) label = label[..MaxLabelBytes];
        return Encoding.UTF8.GetString(label);
    }
}
