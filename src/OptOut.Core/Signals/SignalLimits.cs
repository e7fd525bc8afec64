namespace OptOut.Core.Signals;

/// <summary>
/// Bounds on the work done for one file. Every length read from a file is checked against the bytes
/// actually present and against these caps before anything is allocated, so a crafted file cannot make
/// the reader allocate or loop beyond them.
/// </summary>
internal static class SignalLimits
{
    /// <summary>Largest XMP packet parsed (bytes, also after decompression or reassembly).</summary>
    public const int MaxXmpPacketBytes = 4 * 1024 * 1024;

    /// <summary>Largest XML document the parser accepts, in characters.</summary>
    public const long MaxXmpCharacters = 4 * 1024 * 1024;

    /// <summary>XMP packets looked at per file (a file normally has one, a TIFF with previews a few).</summary>
    public const int MaxXmpPackets = 16;

    /// <summary>Largest JUMBF manifest store read (bytes). Real stores with thumbnails are a few MB.</summary>
    public const int MaxJumbfBytes = 32 * 1024 * 1024;

    /// <summary>Separate JUMBF stores (JPEG APP11 box instances, PNG caBX chunks) looked at per file.</summary>
    public const int MaxJumbfStores = 8;

    /// <summary>Nesting of JUMBF superboxes followed; a C2PA assertion sits at depth 4.</summary>
    public const int MaxJumbfDepth = 8;

    /// <summary>JUMBF boxes read per store.</summary>
    public const int MaxJumbfBoxes = 10_000;

    /// <summary>Nesting of CBOR or JSON containers followed in an assertion.</summary>
    public const int MaxStructureDepth = 32;

    /// <summary>CBOR data items decoded per assertion.</summary>
    public const int MaxCborItems = 100_000;

    /// <summary>Signals reported per file; more would only repeat themselves.</summary>
    public const int MaxSignals = 64;

    /// <summary>Longest free text (a constraint, an unknown value) copied into a signal.</summary>
    public const int MaxTextInSignal = 300;

    public static string Shorten(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= MaxTextInSignal ? trimmed : trimmed[..MaxTextInSignal] + "...";
    }
}
