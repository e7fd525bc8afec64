using System.Security.Cryptography;
using OptOut.Core.Embedding;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Fingerprinting;

/// <summary>An image decoded and reduced to what the fingerprint needs; the pixels are gone.</summary>
internal sealed record PreparedImage(
    string Path, string Sha256, byte[] Md5, ulong PerceptualHash, int Width, int Height, string Format, float[] ModelInput)
{
    /// <summary>The rotated views' and centre cuts' hashes and model inputs (<see cref="Fingerprinter.ViewAngles"/>, <see cref="Fingerprinter.ViewCentreCuts"/>), if asked for.</summary>
    public IReadOnlyList<(ulong PerceptualHash, float[] ModelInput)>? Views { get; init; }

    /// <summary>The picture's local features as bytes (<see cref="Fingerprinter.LocalFeatureExtraction"/>), if asked for.</summary>
    public byte[]? LocalFeatures { get; init; }

    /// <summary>The picture ready for verification (<see cref="Fingerprinter.QueryPicture"/>), if asked for; passed on to the fingerprint.</summary>
    public IDisposable? Picture { get; init; }
}
