using System.Text.Json;
using System.Xml;

namespace OptOut.Core.Signals;

/// <summary>
/// Reads the machine-readable AI-training reservations an image file carries in its own bytes:
/// <list type="bullet">
/// <item>the IPTC Photo Metadata "Data Mining" property, XMP <c>plus:DataMining</c>, in JPEG APP1 (and
/// Extended XMP), PNG iTXt/zTXt/tEXt, WebP "XMP " chunks, and for other formats (TIFF, GIF, ...) any
/// plain XMP packet in the file;</item>
/// <item>the C2PA / CAWG training-and-data-mining assertion (<c>c2pa.training-mining</c>,
/// <c>cawg.training-mining</c>) in a C2PA manifest store (JPEG APP11, PNG caBX, WebP C2PA chunk).</item>
/// </list>
/// C2PA signatures and hashes are NOT verified: an assertion is reported as found in the file.
/// See docs/signals.md.
/// </summary>
public static class EmbeddedSignals
{
    /// <summary>
    /// Every signal found in the file's bytes, permissions too (with <see cref="EmbeddedSignal.ProhibitsTraining"/>
    /// false), in the order found. Never throws on malformed input: a damaged packet or box yields nothing
    /// (or what could be read of it). Work and allocation are bounded by the file's size and fixed caps,
    /// never by lengths read from the file.
    /// </summary>
    public static IReadOnlyList<EmbeddedSignal> Read(ReadOnlySpan<byte> file)
    {
        var signals = new SignalCollector();
        foreach (var block in MetadataLocator.Find(file))
        {
            if (signals.IsFull) break;
            try
            {
                if (block.Kind == MetadataKind.Xmp) DataMiningXmp.Read(block.Data, block.Where, signals);
                else C2paTrainingMining.Read(block.Data, block.Where, signals);
            }
            catch (Exception e) when (e is XmlException or FormatException or JsonException)
            {
                // A damaged packet or assertion: nothing more can be read from this block, but the
                // file's other blocks may still hold signals.
            }
        }
        return signals.ToList();
    }
}
