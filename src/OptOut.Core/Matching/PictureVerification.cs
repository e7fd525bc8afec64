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
    public PictureVerdict Verify(VerifiablePicture reference, Func<byte[]> read, string name, string what, byte[]? storedFeatures = null) =>
        VerifyIfKeypointsFit(reference, read, name, what, storedFeatures, minInliers: null, fullWithoutFeatures: true)!;

    /// <summary>
    /// As <see cref="Verify(VerifiablePicture, Func{byte[]}, string, string, byte[])"/>, first asking the picture's stored keypoints to fit the reference's with at least
    /// <paramref name="minInliers"/> inliers (<see cref="GeometricVerifier.FitsWithInliers"/>, no pixel read): null when they
    /// do not, when the picture has no stored features that fit the verifier's options, or when OpenCV is not
    /// loadable, so that a row ranked too deep to be verified unasked costs a matching, not a decode; with
    /// <paramref name="fullWithoutFeatures"/>, a picture without usable stored features is verified in full instead of
    /// answering null. Null <paramref name="minInliers"/>: no such question, as <see cref="Verify(VerifiablePicture, Func{byte[]}, string, string, byte[])"/>.
    /// </summary>
    public PictureVerdict? VerifyIfKeypointsFit(VerifiablePicture reference, Func<byte[]> read, string name, string what, byte[]? storedFeatures, int? minInliers, bool fullWithoutFeatures)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(read);
        if (OpenCvAvailability.UnavailableReason is { } unavailable) return minInliers is null ? PictureVerdict.Unverified(unavailable) : null;
        double decodeMs = 0;
        var decode = TimedDecoder(read, name, ms => decodeMs += ms);

        try
        {
            // Stored features first: the pixels are read only if a stage compares them.
            if (storedFeatures is not null && StoredFeatureExtraction.Read(storedFeatures) is { } features
                && VerifiablePicture.FromStoredFeatures(features, decode, Verifier.Options) is { } deferred)
            {
                if (minInliers is { } needed && !KeypointsFit(reference, deferred, needed)) return null;
                try
                {
                    return Verify(reference, deferred, usedStored: true, prepareMs: 0, () => decodeMs);
                }
                catch (StalePictureException)
                {
                    // The file changed since the import: verified from its pixels below, as any row without features.
                }
            }
            else if (minInliers is not null && !fullWithoutFeatures)
            {
                return null;
            }

            var picture = PrepareFromPixels(decode, out double prepareMs);
            return Verify(reference, picture, usedStored: false, prepareMs, () => decodeMs);
        }
        catch (Exception e) when (Unreadable(e))
        {
            return PictureVerdict.Unverified($"{what} could not be read ({e.Message})");
        }
    }

    /// <summary>
    /// Is the picture <paramref name="read"/> returns a copy of any of <paramref name="references"/>? Tried in
    /// their order, the picture read, decoded and prepared once; stops at the first verified copy. One verdict
    /// a reference tried (a null reference, one that could not be prepared, is skipped and answered by
    /// <paramref name="unprepared"/>); a picture that cannot be read ends the list with one "not verified"
    /// verdict, at the position of the first reference it was to be compared with.
    /// </summary>
    public IReadOnlyList<PictureVerdict> VerifyInTurn(IReadOnlyList<VerifiablePicture?> references, Func<int, PictureVerdict> unprepared, Func<byte[]> read, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(read);
        var verdicts = new List<PictureVerdict>(references.Count);
        if (references.Count == 0) return verdicts;
        if (OpenCvAvailability.UnavailableReason is { } unavailable) return [PictureVerdict.Unverified(unavailable)];
        VerifiablePicture? picture = null;
        double decodeMs = 0, prepareMs = 0;
        var decode = TimedDecoder(read, name, ms => decodeMs += ms);

        try
        {
            for (int i = 0; i < references.Count; i++)
            {
                if (references[i] is not { } reference)
                {
                    verdicts.Add(unprepared(i));
                    continue;
                }
                picture ??= PrepareFromPixels(decode, out prepareMs);
                var verdict = Compare(reference, picture, usedStored: false, prepareMs, () => decodeMs);
                // Decoding and preparing are counted with the first comparison only.
                decodeMs = prepareMs = 0;
                verdicts.Add(verdict);
                if (verdict.IsCopy == true) break;
            }
            return verdicts;
        }
        catch (Exception e) when (Unreadable(e))
        {
            verdicts.Add(PictureVerdict.Unverified($"{what} could not be read ({e.Message})"));
            return verdicts;
        }
        finally
        {
            picture?.Dispose();
        }
    }

    // Whether the picture's keypoints fit the reference's with that many inliers (timed for the statistics); the
    // picture is disposed when they do not, or when asking throws.
    private bool KeypointsFit(VerifiablePicture reference, VerifiablePicture picture, int inliers)
    {
        bool fits = false;
        try
        {
            long started = Stopwatch.GetTimestamp();
            fits = Verifier.FitsWithInliers(reference, picture, inliers);
            Statistics?.Screen(Stopwatch.GetElapsedTime(started).TotalMilliseconds, fits);
            return fits;
        }
        finally
        {
            if (!fits) picture.Dispose();
        }
    }

    // What reading or decoding a picture's file may throw: the picture is then not verified either way.
    private static bool Unreadable(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException or ImageFileException;

    // The picture's bytes decoded by the module's decoder under its limits, each decode's time handed to took.
    private Func<DecodedImage> TimedDecoder(Func<byte[]> read, string name, Action<double> took) => () =>
    {
        long started = Stopwatch.GetTimestamp();
        var decoded = ImageLoader.Decode(read(), name, Limits);
        took(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return decoded;
    };

    // The picture decoded (decode times itself) and prepared from its pixels; the time preparing took.
    private VerifiablePicture PrepareFromPixels(Func<DecodedImage> decode, out double prepareMs)
    {
        using var decoded = decode();
        long started = Stopwatch.GetTimestamp();
        var picture = Verifier.Prepare(decoded);
        prepareMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return picture;
    }

    private PictureVerdict Verify(VerifiablePicture reference, VerifiablePicture picture, bool usedStored, double prepareMs, Func<double> decodeMs)
    {
        using (picture)
        {
            return Compare(reference, picture, usedStored, prepareMs, decodeMs);
        }
    }

    private PictureVerdict Compare(VerifiablePicture reference, VerifiablePicture picture, bool usedStored, double prepareMs, Func<double> decodeMs)
    {
        long started = Stopwatch.GetTimestamp();
        var timings = Statistics is null ? null : new VerificationTimings();
        var verification = Verifier.Verify(reference, picture, timings, () => PixelSearchHelps(reference, picture));
        double verifyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Statistics?.Candidate(decodeMs(), prepareMs, usedStored, picture.HasPixels, verifyMs - (usedStored ? decodeMs() : 0), timings!);
        return verification.Reason == NotVerifiedReason.TooSmall
            ? new PictureVerdict(verification, "not verified: " + verification.Detail)
            : new PictureVerdict(verification, null);
    }

    private bool PixelSearchHelps(VerifiablePicture reference, VerifiablePicture picture) =>
        PixelSearchBelowKeypoints <= 0 || !Verifier.Options.PixelSearch
        || Math.Min(reference.Features.Count, picture.Features.Count) < PixelSearchBelowKeypoints;
}
