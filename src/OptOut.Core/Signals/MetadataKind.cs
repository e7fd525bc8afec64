namespace OptOut.Core.Signals;

internal enum MetadataKind
{
    /// <summary>An XMP packet (XML text).</summary>
    Xmp,

    /// <summary>A JUMBF box sequence that may hold a C2PA manifest store.</summary>
    Jumbf,
}
