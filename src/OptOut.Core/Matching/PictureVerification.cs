using System.Diagnostics;
using OptOut.Core.Imaging;

namespace OptOut.Core.Matching;

/// <summary>
/// Verifies a picture given as file bytes (a dataset row's image, a tar member) against a prepared
/// reference: decoded by the module's decoder under its limits, prepared (with features stored at
/// import when they belong to it), verified. What the search (<see cref="CopyMatcher"/>) and the gate's
/// content rule both do for each candidate row, so the two decide alike.
/// </summary>
internal sealed class PictureVerification(GeometricVerifier verifier, ImageLimits limits)
{
    private readonly GeometricVerifier withoutSearch = new(verifier.Options with { PixelSearch = false });

    public GeometricVerifier Verifier { get; } = verifier;

    /// <summary>
    /// When above 0, the pixel search (<see cref="VerifierOptions.PixelSearch"/>, the costliest stage) runs
    /// only when one of the two pictures has fewer keypoints than this: it exists for plain pictures whose
    /// keypoints cannot carry a fit. 0: whenever the verifier's options say so.
    /// </summary>
    public int PixelSearchBelowKeypoints { get; init; }

    public ImageLimits Limits { get; } = limits;

    /// <summary>When set, each picture's decode, preparation and verification times are added to it.</summary>
    public MatcherStatistics? Statistics { get; init; }

    /// <summary>
    /// Is the picture <paramref name="read"/> returns a copy of <paramref name="reference"/>? A picture
    /// that cannot be read or decoded (<paramref name="what"/> names it in the answer), or one too small
    /// to verify, is not verified either way.
    /// </summary>
    public PictureVerdict Verify(VerifiablePicture reference, Func<byte[]> read, string name, string what, byte[]? storedFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(read);
        if (OpenCvAvailability.UnavailableReason is { } unavailable) return PictureVerdict.Unverified(unavailable);
        long started = Stopwatch.GetTimestamp();
        double decodeMs;
        VerifiablePicture picture;
        bool usedStored;
        try
        {
            using var decoded = ImageLoader.Decode(read(), name, Limits);
            decodeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            (picture, usedStored) = Prepare(decoded, storedFeatures);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ImageFileException)
        {
            return PictureVerdict.Unverified($"{what} could not be read ({e.Message})");
        }
        using (picture)
        {
            double prepareMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            var timings = Statistics is null ? null : new VerificationTimings();
            var verification = PixelSearchHelps(reference, picture)
                ? Verifier.Verify(reference, picture, timings)
                : withoutSearch.Verify(reference, picture, timings);
            Statistics?.Candidate(decodeMs, prepareMs, usedStored, decoded: true, Stopwatch.GetElapsedTime(started).TotalMilliseconds, timings!);
            return verification.Reason == NotVerifiedReason.TooSmall
                ? new PictureVerdict(verification, "not verified: " + verification.Detail)
                : new PictureVerdict(verification, null);
        }
    }

    private bool PixelSearchHelps(VerifiablePicture reference, VerifiablePicture picture) =>
        PixelSearchBelowKeypoints <= 0 || !Verifier.Options.PixelSearch
        || Math.Min(reference.Features.Count, picture.Features.Count) < PixelSearchBelowKeypoints;

    /// <summary>
    /// The picture prepared with its stored features when they belong to it as this verifier works
    /// (same kind, working size and picture size: features made with other options, or a file replaced
    /// by one of another size since the import, do not), else with features extracted from its pixels.
    /// A file replaced by another of the same size keeps its stale features: the pixel check still reads
    /// the new pixels, so such a row can be missed but is not verified by the old file's features alone.
    /// </summary>
    private (VerifiablePicture Picture, bool UsedStored) Prepare(DecodedImage decoded, byte[]? storedFeatures)
    {
        if (storedFeatures is not null && StoredFeatureExtraction.Read(storedFeatures) is { } features)
        {
            try
            {
                return (Verifier.Prepare(decoded, features), true);
            }
            catch (ArgumentException)
            {
            }
        }
        return (Verifier.Prepare(decoded), false);
    }
}
