using System.Security.Cryptography;
using OptOut.Core.Embedding;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Fingerprinting;

/// <summary>
/// Fingerprints image files in two steps so callers can overlap them: <see cref="Prepare(string)"/> (read,
/// hash, decode, perceptual hash, model input; CPU-bound, any thread) and <see cref="Complete"/>
/// (model inference).
/// </summary>
public sealed class Fingerprinter
{
    /// <summary>A fingerprinter that embeds with <paramref name="model"/> and decodes within <paramref name="limits"/>.</summary>
    public Fingerprinter(EmbeddingModel model, ImageLimits limits)
    {
        Model = model;
        Limits = limits;
    }

    /// <summary>The image model that makes the embeddings.</summary>
    public EmbeddingModel Model { get; }
    /// <summary>Bounds every picture is decoded within.</summary>
    public ImageLimits Limits { get; }

    internal PreparedImage Prepare(string path) => Prepare(path, ImageLoader.ReadFile(path, Limits));

    /// <summary>Prepares an image already in memory (a tar member, say); <paramref name="path"/> names it in errors.</summary>
    internal PreparedImage Prepare(string path, byte[] content) => Prepare(path, content, null);

    /// <summary>
    /// As <see cref="Prepare(string, byte[])"/>, the decode first reserving its bytes from
    /// <paramref name="budget"/> (waiting until they fit) and holding them until its pixels are gone.
    /// </summary>
    internal PreparedImage Prepare(string path, byte[] content, DecodeBudget? budget, CancellationToken cancellationToken = default)
    {
        if (content.LongLength > Limits.MaxFileBytes) throw new ImageTooLargeException(path, content.LongLength, Limits);
        var sha256 = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        using var image = ImageLoader.Decode(content, path, Limits, budget, cancellationToken);
        // The picture made ready for its other use first: a query's keypoints are then extracted on another thread
        // while its hash, views and model input are made here (docs/copy-detection.md, fifteenth round).
        var picture = QueryPicture?.Invoke(image);
        try
        {
            var (hash, input) = HashAndModelInput(image.Pixels);
            // MD5 is no protection here: it is the digest LAION lists in its md5 column, so matching needs it.
#pragma warning disable CA5351
            return new PreparedImage(path, sha256, MD5.HashData(content), hash, image.Width, image.Height, image.Format, input)
            {
                Views = PrepareViews(image.Pixels),
                LocalFeatures = LocalFeatureExtraction?.Invoke(image),
                Picture = picture,
            };
#pragma warning restore CA5351
        }
        catch
        {
            picture?.Dispose();
            throw;
        }
    }

    internal PictureFingerprint Complete(PreparedImage prepared) => new(
        prepared.Path, prepared.Sha256, prepared.Md5, prepared.PerceptualHash, prepared.Width, prepared.Height, prepared.Format,
        Model.ModelId, Model.Embed(prepared.ModelInput))
    {
        Views = prepared.Views?.Select(v => new ImageView(v.PerceptualHash, Model.Embed(v.ModelInput))).ToList(),
        LocalFeatures = prepared.LocalFeatures,
        Picture = prepared.Picture,
    };

    /// <summary>Reads, decodes and fingerprints the picture at <paramref name="path"/>; throws an <see cref="ImageFileException"/> when it is over the limits or cannot be decoded.</summary>
    public PictureFingerprint Fingerprint(string path) => Complete(Prepare(path));

    /// <summary>Angles (degrees) of the rotated views a search can add: copies turned by a few degrees
    /// score low against the upright picture (docs/copy-detection.md, "query-side rotations").</summary>
    public static readonly IReadOnlyList<float> RotationAngles = [-6f, -3f, 3f, 6f];

    /// <summary>
    /// When set, each picture is also fingerprinted turned by these angles (degrees), cut back to its
    /// size around the centre: <see cref="PictureFingerprint.Views"/>, extra queries that find copies
    /// rotated by a few degrees. Prepared with the picture (any thread), one more model run each.
    /// </summary>
    public IReadOnlyList<float> ViewAngles { get; init; } = [];

    /// <summary>Shares of each side kept by the centre cuts a search can add: copies cut down to their
    /// centre (a dataset builder's centre crop) score low against the whole picture
    /// (docs/copy-detection.md, "query-side centre cuts").</summary>
    public static readonly IReadOnlyList<float> CentreCutShares = [0.9f, 0.8f];

    /// <summary>
    /// When set, each picture is also fingerprinted cut down to its centre, keeping these shares of
    /// its width and height: more <see cref="PictureFingerprint.Views"/>, one model run each.
    /// </summary>
    public IReadOnlyList<float> ViewCentreCuts { get; init; } = [];

    /// <summary>
    /// When set, run on each decoded picture while it is prepared (any thread): the picture's local
    /// features as bytes to store with it (<see cref="PictureFingerprint.LocalFeatures"/>), or null.
    /// </summary>
    public Func<DecodedImage, byte[]?>? LocalFeatureExtraction { get; init; }

    /// <summary>
    /// When set, run on each decoded picture while it is prepared (any thread): the picture made ready
    /// for another use, such as verifying copies against it (Matching's <c>CopyMatcher.PrepareQuery</c>),
    /// passed on as <see cref="PictureFingerprint.Picture"/> so that a search does not decode its query twice.
    /// </summary>
    public Func<DecodedImage, IDisposable?>? QueryPicture { get; init; }

    /// <summary>This fingerprinter, also extracting local features with <paramref name="extraction"/>.</summary>
    public Fingerprinter WithLocalFeatures(Func<DecodedImage, byte[]?> extraction) => With(extraction: extraction);

    /// <summary>This fingerprinter, also preparing each picture for verification with <paramref name="preparation"/>.</summary>
    public Fingerprinter WithQueryPicture(Func<DecodedImage, IDisposable?> preparation) => With(preparation: preparation);

    /// <summary>This fingerprinter, turning each picture by <paramref name="angles"/> as well (<see cref="ViewAngles"/>).</summary>
    public Fingerprinter WithViewAngles(IReadOnlyList<float> angles) => With(viewAngles: angles);

    // A copy with the settings given replaced and the rest kept.
    private Fingerprinter With(IReadOnlyList<float>? viewAngles = null, Func<DecodedImage, byte[]?>? extraction = null, Func<DecodedImage, IDisposable?>? preparation = null) => new(Model, Limits)
    {
        ViewAngles = viewAngles ?? ViewAngles,
        ViewCentreCuts = ViewCentreCuts,
        LocalFeatureExtraction = extraction ?? LocalFeatureExtraction,
        QueryPicture = preparation ?? QueryPicture,
    };

    // Both fingerprints shrink the picture (32 px for the hash, the model's 224 px input), so views are made
    // from a smaller frame: turning at full size cost about 0.6 s a query picture of clip-art. Turns are made
    // at 256 px with a bilinear resampler (a bicubic turn at 512 px took 51 ms a view; the verified figures
    // are the same but one Watermark copy: docs/copy-detection.md, "Ninth round"); centre cuts at 512 px (at
    // 320 px they lost cropped copies under the threshold rule).
    private const int TurnSide = 256;
    private const int CutSide = 512;

    private List<(ulong PerceptualHash, float[] ModelInput)>? PrepareViews(Image<Rgb24> pixels)
    {
        if (ViewAngles.Count == 0 && ViewCentreCuts.Count == 0) return null;
        var views = new List<(ulong, float[])>(ViewAngles.Count + ViewCentreCuts.Count);
        if (ViewAngles.Count > 0)
        {
            using var small = Shrunk(pixels, TurnSide);
            var source = small ?? pixels;
            foreach (var angle in ViewAngles)
            {
                using var turned = CentredTurn.Turned(source, angle);
                views.Add(HashAndModelInput(turned));
            }
        }
        if (ViewCentreCuts.Count > 0)
        {
            using var small = Shrunk(pixels, CutSide);
            var source = small ?? pixels;
            int w = source.Width, h = source.Height;
            foreach (var share in ViewCentreCuts)
            {
                int cw = Math.Max(1, (int)Math.Round(w * share)), ch = Math.Max(1, (int)Math.Round(h * share));
                using var centre = source.Clone(x => x.Crop(new Rectangle((w - cw) / 2, (h - ch) / 2, cw, ch)));
                views.Add(HashAndModelInput(centre));
            }
        }
        return views;
    }

    // The picture fitted within side x side, or null when it already fits.
    private static Image<Rgb24>? Shrunk(Image<Rgb24> pixels, int side) =>
        Math.Max(pixels.Width, pixels.Height) <= side ? null
            : pixels.Clone(x => x.Resize(new ResizeOptions { Size = new Size(side, side), Mode = SixLabors.ImageSharp.Processing.ResizeMode.Max }));

    // Fingerprints describe the picture inside any uniform border, so padded copies match.
    private (ulong PerceptualHash, float[] ModelInput) HashAndModelInput(Image<Rgb24> pixels)
    {
        var box = ContentBox.Find(pixels);
        using var picture = box.Width == pixels.Width && box.Height == pixels.Height ? null : pixels.Clone(x => x.Crop(box));
        var content = picture ?? pixels;
        return (PerceptualHash.Compute(content), Model.PrepareInput(content));
    }
}
