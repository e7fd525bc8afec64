namespace OptOut.Core.Signals;

internal enum MetadataKind
{
    /// <summary>An XMP packet (XML text).</summary>
    Xmp,

    /// <summary>A JUMBF box sequence that may hold a C2PA manifest store.</summary>
    Jumbf,
}

/// <summary>
/// A piece of metadata cut out of its container, with a note of where it was ("XMP in JPEG APP1"),
/// which goes into every signal read from it.
/// </summary>
internal sealed record MetadataBlock(MetadataKind Kind, byte[] Data, string Where);
