namespace OptOut;

/// <summary>Output of Get-ImageFingerprint: flat, so it survives Export-Csv and ConvertTo-Json.</summary>
public sealed class ImageFingerprint
{
    public string Path { get; init; } = "";

    /// <summary>SHA-256 of the file's bytes, lower-case hex.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>64-bit DCT hash as 16 hex digits (definition in docs/fingerprints.md).</summary>
    public string PerceptualHash { get; init; } = "";

    public int Width { get; init; }
    public int Height { get; init; }
    public string Format { get; init; } = "";

    /// <summary>Model name and the SHA-256 of its ONNX file.</summary>
    public string Model { get; init; } = "";

    /// <summary>The L2-normalised embedding; filled only with -IncludeEmbedding.</summary>
    public float[]? Embedding { get; init; }

    internal static ImageFingerprint From(Core.Fingerprinting.PictureFingerprint f, bool includeEmbedding) => new()
    {
        Path = f.Path,
        Sha256 = f.Sha256,
        PerceptualHash = Core.Fingerprinting.PerceptualHash.ToHex(f.PerceptualHash),
        Width = f.Width,
        Height = f.Height,
        Format = f.Format,
        Model = f.ModelId,
        Embedding = includeEmbedding ? f.Embedding : null,
    };
}
