using OptOut.Core.Urls;
namespace OptOut.Core.Index;

/// <summary>One sample of a training set on its way into the index: metadata and, when known, fingerprints (a dataset's row as read is a <see cref="Datasets.SourceRow"/>; a row read back from the index an <see cref="IndexedRow"/>).</summary>
internal sealed class ImportRow
{
    /// <summary>The row's own key in its dataset (img2dataset's key, LAION's SAMPLE_ID or key, else its position).</summary>
    public string? Key { get; set; }
    public string? Url { get; set; }

    /// <summary>The URL normalised ahead of time (on a reader thread); computed by the store when null.</summary>
    public NormalizedUrl? NormalizedUrl { get; set; }

    public string? Caption { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public byte[]? Sha256 { get; set; }
    public byte[]? Md5 { get; set; }
    public ulong? PerceptualHash { get; set; }

    /// <summary>L2-normalised embedding, stored as IEEE half floats (the precision LAION ships).</summary>
    public Half[]? Embedding { get; set; }

    /// <summary>Where the row's own image lies (a file, or a tar member's bytes); null for rows without local pixels.</summary>
    public Datasets.ImageLocation? Image { get; set; }

    /// <summary>The image's local features as the verifier extracts them (<c>LocalFeatures.ToBytes</c>), when the import stored them; else null.</summary>
    public byte[]? LocalFeatures { get; set; }
}
