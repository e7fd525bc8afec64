using System.Buffers.Binary;
using System.Text;

namespace OptOut.Core.Signals;

/// <summary>
/// A JUMBF superbox (<c>jumb</c>, ISO/IEC 19566-5): the label from its description box (<c>jumd</c>),
/// the superboxes nested in it, and its first content box (for a C2PA assertion, <c>cbor</c> or <c>json</c>).
/// </summary>
internal sealed class JumbfSuperbox
{
    public string Label { get; init; } = "";
    public List<JumbfSuperbox> Children { get; } = new();
    public string? ContentType { get; set; }
    public ReadOnlyMemory<byte> Content { get; set; }
}
