using OpenCvSharp;
using OptOut.Core.Imaging;

namespace OptOut.Core.Matching;

/// <summary>
/// A picture ready for <see cref="GeometricVerifier"/>: its gray working frame, and its local features
/// (and those of its mirror image) computed on first use and kept, so a query's are computed once for all
/// its candidates. Made from the module's decoder output only (<see cref="ImageLoader"/>), so untrusted
/// files meet the same limits as everywhere else. Thread-safe; dispose it to free the native frames.
/// </summary>
public sealed class VerifiablePicture : IDisposable
{
    private readonly object gate = new();
    private readonly Mat gray;
    private readonly Mat colour;
    private Mat? mirroredGray;
    private Mat? mirroredColour;
    private LocalFeatures? features;
    private LocalFeatures? mirroredFeatures;
    private Mat? descriptors;
    private Mat? mirroredDescriptors;
    private Mat? contentMask;
    private Mat? mirroredContentMask;
    private bool disposed;

    private VerifiablePicture(Mat gray, Mat colour, int width, int height, VerifierOptions options)
    {
        this.gray = gray;
        this.colour = colour;
        Width = width;
        Height = height;
        Options = options;
    }

    /// <summary>
    /// Prepares a decoded picture. <paramref name="storedFeatures"/>, when given, are used instead of
    /// extracting them again; they must have been made with the same feature kind and working side.
    /// </summary>
    public static VerifiablePicture FromDecoded(DecodedImage image, VerifierOptions? options = null, LocalFeatures? storedFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= VerifierOptions.Default;
        options.Validate();
        var picture = new VerifiablePicture(GrayFrame.FromDecoded(image, options.WorkingSide), ColourFrame.FromDecoded(image, options.WorkingSide), image.Width, image.Height, options);
        if (storedFeatures is not null)
        {
            if (storedFeatures.Kind != options.FeatureKind || storedFeatures.Width != picture.gray.Width || storedFeatures.Height != picture.gray.Height
                || storedFeatures.SourceWidth != image.Width || storedFeatures.SourceHeight != image.Height)
            {
                picture.Dispose();
                throw new ArgumentException($"Stored features ({storedFeatures.Kind}, {storedFeatures.Width}x{storedFeatures.Height} of {storedFeatures.SourceWidth}x{storedFeatures.SourceHeight}) do not belong to this picture as {options.FeatureKind} at {options.WorkingSide} px.", nameof(storedFeatures));
            }
            picture.features = storedFeatures;
        }
        return picture;
    }

    /// <summary>Size of the decoded picture.</summary>
    public int Width { get; }
    /// <summary>Height of the decoded picture, in pixels.</summary>
    public int Height { get; }

    /// <summary>The settings the picture was prepared with (a pair is verified only under the same).</summary>
    public VerifierOptions Options { get; }

    /// <summary>Working-frame pixels per decoded pixel (1 for pictures within the working side).</summary>
    internal double WorkingScale => (double)gray.Width / Width;

    internal int WorkingWidth => gray.Width;
    internal int WorkingHeight => gray.Height;

    /// <summary>The picture's features, extracted on first use.</summary>
    public LocalFeatures Features => Lazy(ref features, () => LocalFeatureExtractor.Extract(gray, Options, Width, Height));

    /// <summary>The features of the picture mirrored left-right (SIFT, ORB and AKAZE are not mirror-invariant), extracted on first use.</summary>
    public LocalFeatures MirroredFeatures => Lazy(ref mirroredFeatures, () => LocalFeatureExtractor.Extract(GrayOf(mirrored: true), Options, Width, Height));

    internal bool HasFeatures
    {
        get { lock (gate) return features is not null; }
    }

    internal LocalFeatures FeaturesOf(bool mirrored) => mirrored ? MirroredFeatures : Features;

    internal Mat GrayOf(bool mirrored)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!mirrored) return gray;
            if (mirroredGray is null)
            {
                var flipped = new Mat();
                Cv2.Flip(gray, flipped, FlipMode.Y);
                mirroredGray = flipped;
            }
            return mirroredGray;
        }
    }

    /// <summary>The Lab working frame (<see cref="ColourFrame"/>), mirrored when asked; owned by this picture.</summary>
    internal Mat ColourOf(bool mirrored)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!mirrored) return colour;
            if (mirroredColour is null)
            {
                var flipped = new Mat();
                Cv2.Flip(colour, flipped, FlipMode.Y);
                mirroredColour = flipped;
            }
            return mirroredColour;
        }
    }

    /// <summary>The descriptors as a Mat the matcher takes (float for SIFT, bytes for binary kinds); owned by this picture.</summary>
    internal Mat DescriptorsOf(bool mirrored)
    {
        var source = FeaturesOf(mirrored);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ref Mat? slot = ref mirrored ? ref mirroredDescriptors : ref descriptors;
            return slot ??= DescriptorMat(source);
        }
    }

    /// <summary>Where the picture has content (255) rather than a plain background; null when it has no plain background. Owned by this picture.</summary>
    internal Mat? ContentMaskOf(bool mirrored)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            contentMask ??= ContentMask.Of(gray);
            if (!mirrored || contentMask.Empty()) return contentMask.Empty() ? null : contentMask;
            if (mirroredContentMask is null)
            {
                var flipped = new Mat();
                Cv2.Flip(contentMask, flipped, FlipMode.Y);
                mirroredContentMask = flipped;
            }
            return mirroredContentMask;
        }
    }

    /// <summary>Releases the working frames.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            gray.Dispose();
            colour.Dispose();
            mirroredGray?.Dispose();
            mirroredColour?.Dispose();
            descriptors?.Dispose();
            mirroredDescriptors?.Dispose();
            contentMask?.Dispose();
            mirroredContentMask?.Dispose();
        }
    }

    private LocalFeatures Lazy(ref LocalFeatures? slot, Func<LocalFeatures> make)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return slot ??= make();
        }
    }

    private static Mat DescriptorMat(LocalFeatures features)
    {
        int length = features.DescriptorLength;
        if (features.Count == 0) return new Mat();
        using var bytes = Mat.FromPixelData(features.Count, length, MatType.CV_8UC1, features.Descriptors);
        var result = new Mat();
        try
        {
            if (LocalFeatures.IsBinary(features.Kind)) bytes.CopyTo(result);
            else bytes.ConvertTo(result, MatType.CV_32FC1);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
