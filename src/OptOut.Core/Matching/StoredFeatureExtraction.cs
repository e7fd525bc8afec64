using OptOut.Core.Imaging;

namespace OptOut.Core.Matching;

/// <summary>
/// The local features an import stores beside a row, made exactly as <see cref="GeometricVerifier.Prepare"/>
/// makes a candidate's (same working frame, same extractor, same options), so a search can hand them
/// back to it instead of extracting them again.
/// </summary>
internal static class StoredFeatureExtraction
{
    /// <summary>
    /// Extracts a decoded picture's features with <paramref name="options"/> as bytes
    /// (<see cref="LocalFeatures.ToBytes"/>); null where OpenCV cannot run here (the row is then
    /// verified by extraction at search time, as rows without stored features are).
    /// </summary>
    public static Func<DecodedImage, byte[]?> For(VerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return image =>
        {
            if (OpenCvAvailability.UnavailableReason is not null) return null;
            using var picture = VerifiablePicture.FromDecoded(image, options);
            return picture.Features.ToBytes();
        };
    }

    /// <summary>Stored bytes back as features, or null when they are not features this build can read.</summary>
    public static LocalFeatures? Read(byte[] bytes)
    {
        try
        {
            return LocalFeatures.FromBytes(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
