namespace OptOut.Core.Fingerprinting;

/// <summary>Everything the module knows about one image file's content. MD5 is kept only to match datasets that list it (LAION's md5 column).</summary>
public sealed record PictureFingerprint(
    string Path,
    string Sha256,
    byte[] Md5,
    ulong PerceptualHash,
    int Width,
    int Height,
    string Format,
    string ModelId,
    float[] Embedding)
{
    /// <summary>The picture turned a few degrees (<see cref="Fingerprinter.ViewAngles"/>) and cut down to its centre (<see cref="Fingerprinter.ViewCentreCuts"/>), when asked for: extra queries for rotated and cropped copies.</summary>
    public IReadOnlyList<ImageView>? Views { get; init; }

    /// <summary>The picture's local features as bytes, when the fingerprinter was asked for them (<see cref="Fingerprinter.LocalFeatureExtraction"/>).</summary>
    public byte[]? LocalFeatures { get; init; }

    /// <summary>
    /// The picture ready for verifying copies against it, prepared on the same decode as the fingerprint
    /// (<see cref="Fingerprinter.QueryPicture"/>), when asked for. Owned by whoever asked: dispose it when
    /// the search is done.
    /// </summary>
    public IDisposable? Picture { get; init; }
}
