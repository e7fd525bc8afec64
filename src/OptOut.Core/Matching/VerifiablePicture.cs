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
    // Extraction takes tens of milliseconds: each features slot has its own lock, so that the frames,
    // masks and the other slot stay readable meanwhile (a query's mirror-image features are extracted
    // while its candidates are already being compared). Order: a features lock, then gate; never the reverse.
    private readonly object featuresGate = new();
    private readonly object mirroredFeaturesGate = new();
    // Null until first needed when the picture was made from stored features (FromStoredFeatures).
    private Mat? gray;
    private Func<DecodedImage>? pixelSource;
    // The working-frame RGB is made with the gray frame, in the same pass (WorkingFrames), and kept until the colour frame
    // is first made from it: no decoded picture is held through a verification (a 12-megapixel row would hold 36 MB a thread).
    private Mat? workingRgb;
    private Mat? colour;
    private Mat? mirroredGray;
    private Mat? blurredGray;
    private Mat? mirroredBlurredGray;
    private Mat? mirroredColour;
    private LocalFeatures? features;
    private LocalFeatures? mirroredFeatures;
    private Mat? descriptors;
    private Mat? mirroredDescriptors;
    private Mat? contentMask;
    private double? shiftAgreement;
    private Mat? mirroredContentMask;
    private bool? hairline;
    private VerifiablePicture? thickened;
    private bool disposed;

    // workingRgb null: the Lab colour frame is set by the maker (a thickened view keeps its source's colours).
    private VerifiablePicture(Mat gray, Mat? workingRgb, int width, int height, VerifierOptions options)
    {
        this.gray = gray;
        this.workingRgb = workingRgb;
        Width = width;
        Height = height;
        WorkingWidth = gray.Width;
        WorkingHeight = gray.Height;
        Options = options;
    }

    private VerifiablePicture(LocalFeatures features, Func<DecodedImage> pixelSource, VerifierOptions options)
    {
        this.features = features;
        this.pixelSource = pixelSource;
        Width = features.SourceWidth;
        Height = features.SourceHeight;
        WorkingWidth = features.Width;
        WorkingHeight = features.Height;
        Options = options;
    }

    /// <summary>
    /// A picture known by its stored features, whose pixels are decoded (by <paramref name="pixelSource"/>,
    /// the module's decoder under its limits) only when a stage compares them: most unrelated candidates
    /// are rejected on their keypoints alone and are never decoded. Null when the features were not made
    /// with <paramref name="options"/> (kind, working side). When the decoded picture turns out not to be
    /// the one the features were made from (another size), the stage that needed it throws
    /// <see cref="StalePictureException"/> and the caller prepares the picture from its pixels instead.
    /// Decoding errors surface from the stage that needed the pixels.
    /// </summary>
    internal static VerifiablePicture? FromStoredFeatures(LocalFeatures features, Func<DecodedImage> pixelSource, VerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(pixelSource);
        options.Validate();
        return Fits(features, features.SourceWidth, features.SourceHeight, options) ? new VerifiablePicture(features, pixelSource, options) : null;
    }

    // Stored features belong to a picture of this size, as these options work: the same kind, made on its working frame from its size.
    private static bool Fits(LocalFeatures features, int width, int height, VerifierOptions options)
    {
        var working = GrayFrame.WorkingSize(width, height, options.WorkingSide);
        return features.Kind == options.FeatureKind && features.SourceWidth == width && features.SourceHeight == height
            && features.Width == working.Width && features.Height == working.Height;
    }

    /// <summary>The gray working frame, decoding the pixels first where they are deferred; called under <see cref="gate"/>.</summary>
    private Mat Gray()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (gray is not null) return gray;
        using (var decoded = pixelSource!())
        {
            if (decoded.Width != Width || decoded.Height != Height)
            {
                throw new StalePictureException($"The picture is {decoded.Width}x{decoded.Height}; its stored features were made from one of {Width}x{Height}.");
            }
            (gray, workingRgb) = WorkingFrames.From(decoded, Options.WorkingSide);
        }
        pixelSource = null;
        return gray;
    }

    /// <summary>Whether the pixels have been decoded (always, unless made by <see cref="FromStoredFeatures"/>).</summary>
    internal bool HasPixels
    {
        get { lock (gate) return gray is not null; }
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
        if (storedFeatures is not null && !Fits(storedFeatures, image.Width, image.Height, options))
        {
            throw new ArgumentException($"Stored features ({storedFeatures.Kind}, {storedFeatures.Width}x{storedFeatures.Height} of {storedFeatures.SourceWidth}x{storedFeatures.SourceHeight}) do not belong to this picture as {options.FeatureKind} at {options.WorkingSide} px.", nameof(storedFeatures));
        }
        var (gray, rgb) = WorkingFrames.From(image, options.WorkingSide);
        return new VerifiablePicture(gray, rgb, image.Width, image.Height, options) { features = storedFeatures };
    }

    /// <summary>Size of the decoded picture.</summary>
    public int Width { get; }
    /// <summary>Height of the decoded picture, in pixels.</summary>
    public int Height { get; }

    /// <summary>The settings the picture was prepared with (a pair is verified only under the same).</summary>
    public VerifierOptions Options { get; }

    /// <summary>Working-frame pixels per decoded pixel (1 for pictures within the working side).</summary>
    internal double WorkingScale => (double)WorkingWidth / Width;

    internal int WorkingWidth { get; }
    internal int WorkingHeight { get; }

    /// <summary>The picture's features, extracted on first use.</summary>
    public LocalFeatures Features => Extracted(ref features, featuresGate, () => LocalFeatureExtractor.Extract(GrayOf(mirrored: false), Options, Width, Height));

    /// <summary>
    /// The features of the picture mirrored left-right (SIFT, ORB and AKAZE are not mirror-invariant), made
    /// on first use: SIFT's from the picture's own (<see cref="MirroredSift"/>), the others by extraction.
    /// </summary>
    public LocalFeatures MirroredFeatures
    {
        get
        {
            if (Options.FeatureKind != LocalFeatureKind.Sift)
            {
                return Extracted(ref mirroredFeatures, mirroredFeaturesGate, () => LocalFeatureExtractor.Extract(GrayOf(mirrored: true), Options, Width, Height));
            }
            // The picture's own first, outside the mirrored slot's lock: the slots' locks are taken in one order (Dispose).
            var own = Features;
            return Extracted(ref mirroredFeatures, mirroredFeaturesGate, () => MirroredSift.Of(own));
        }
    }

    internal bool HasFeatures
    {
        get { return Volatile.Read(ref features) is not null; }
    }

    internal LocalFeatures FeaturesOf(bool mirrored) => mirrored ? MirroredFeatures : Features;

    /// <summary>
    /// How well the picture agrees with itself shifted by a tenth of its width or height (<see cref="ShiftSymmetry"/>),
    /// measured on first use: near 1 for a picture of bands, which has no unique alignment.
    /// </summary>
    internal double ShiftAgreement
    {
        get
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                shiftAgreement ??= ShiftSymmetry.Agreement(Gray(), ContentMaskOf(mirrored: false), 0.1, Options.BlurSigma, Options.MaxRegionShare);
                return shiftAgreement.Value;
            }
        }
    }

    /// <summary>Whether the picture is a hairline drawing (<see cref="LineArt.IsHairline"/>); decodes deferred pixels.</summary>
    internal bool IsHairline
    {
        get
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                hairline ??= LineArt.IsHairline(Gray());
                return hairline.Value;
            }
        }
    }

    /// <summary>
    /// The picture with its dark lines thickened (<see cref="LineArt.Thickened"/>), its keypoints extracted afresh
    /// when first needed; made once and owned by this picture (a query's thickened view serves all its candidates).
    /// </summary>
    internal VerifiablePicture Thickened
    {
        get
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (thickened is not null) return thickened;
            }
            // The colour frame is made outside the lock's first section (ColourOf takes it again).
            var colourCopy = ColourOf(mirrored: false).Clone();
            try
            {
                lock (gate)
                {
                    ObjectDisposedException.ThrowIf(disposed, this);
                    if (thickened is not null)
                    {
                        colourCopy.Dispose();
                        return thickened;
                    }
                    thickened = new VerifiablePicture(LineArt.Thickened(Gray()), workingRgb: null, Width, Height, Options) { colour = colourCopy, hairline = true };
                    return thickened;
                }
            }
            catch
            {
                // Disposed meanwhile, or the thickening failed: the copy is nobody's.
                colourCopy.Dispose();
                throw;
            }
        }
    }

    /// <summary>Whether <see cref="Thickened"/> has been made (a second look at a hairline drawing took place).</summary>
    internal bool HasThickened
    {
        get { lock (gate) return thickened is not null; }
    }

    internal Mat GrayOf(bool mirrored)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var frame = Gray();
            if (!mirrored) return frame;
            if (mirroredGray is null)
            {
                var flipped = new Mat();
                Cv2.Flip(frame, flipped, FlipMode.Y);
                mirroredGray = flipped;
            }
            return mirroredGray;
        }
    }

    /// <summary>
    /// The gray working frame (mirrored when asked) blurred by the picture's <see cref="VerifierOptions.BlurSigma"/>,
    /// as <see cref="PixelCorrelation.Measure"/> blurs it: a query is blurred once for all its candidates. Owned by this picture.
    /// </summary>
    internal Mat BlurredGrayOf(bool mirrored)
    {
        var frame = GrayOf(mirrored);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ref Mat? slot = ref mirrored ? ref mirroredBlurredGray : ref blurredGray;
            return slot ??= PixelCorrelation.Blurred(frame, Options.BlurSigma);
        }
    }

    /// <summary>The Lab working frame (<see cref="ColourFrame"/>), mirrored when asked; owned by this picture.</summary>
    internal Mat ColourOf(bool mirrored)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (colour is null)
            {
                Gray();
                // Made with the gray frame (Gray); a thickened view is given its colour frame instead.
                var rgb = workingRgb ?? throw new InvalidOperationException("The picture has no working-frame RGB to make its colour frame from.");
                colour = ColourFrame.ToLab(rgb);
                rgb.Dispose();
                workingRgb = null;
            }
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
            contentMask ??= ContentMask.Of(Gray());
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
        // An extraction in progress reads the frames: it finishes before they are freed.
        lock (featuresGate)
        lock (mirroredFeaturesGate)
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            gray?.Dispose();
            workingRgb?.Dispose();
            colour?.Dispose();
            mirroredGray?.Dispose();
            blurredGray?.Dispose();
            mirroredBlurredGray?.Dispose();
            mirroredColour?.Dispose();
            descriptors?.Dispose();
            mirroredDescriptors?.Dispose();
            contentMask?.Dispose();
            mirroredContentMask?.Dispose();
            thickened?.Dispose();
        }
    }

    private LocalFeatures Extracted(ref LocalFeatures? slot, object slotGate, Func<LocalFeatures> make)
    {
        lock (slotGate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
            if (slot is { } made) return made;
            made = make();
            Volatile.Write(ref slot, made);
            return made;
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
