namespace OptOut.Core.Signals;

/// <summary>
/// A piece of metadata cut out of its container, with a note of where it was ("XMP in JPEG APP1"),
/// which goes into every signal read from it.
/// </summary>
internal sealed record MetadataBlock(MetadataKind Kind, byte[] Data, string Where);
