using System.Collections.Concurrent;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Reports;

/// <summary>
/// Makes the report's thumbnails: each picture decoded under the module's limits and memory budget,
/// shrunk to at most <see cref="MaxSide"/> pixels on its longest side, encoded as JPEG, and either
/// returned as a data URI or written to the thumbnail folder. Thread-safe; a picture asked for twice
/// (the artist's work beside each of its matches) is made once.
/// </summary>
public sealed class ThumbnailMaker
{
    /// <summary>Longest side of a thumbnail, in pixels.</summary>
    public const int MaxSide = 256;

    private const int JpegQuality = 80;

    private readonly ImageLimits limits;
    private readonly DecodeBudget budget;
    private readonly string? folder;
    private readonly string? folderName;
    private readonly ConcurrentDictionary<string, Lazy<Thumbnail>> made = new(StringComparer.Ordinal);
    private int written;

    /// <param name="storage">Data URIs, or files in <paramref name="folder"/>.</param>
    /// <param name="folder">The thumbnail folder (created when needed); its name is how the page refers to it, so it must sit beside the HTML.</param>
    public ThumbnailMaker(ThumbnailStorage storage, string? folder, ImageLimits limits, DecodeBudget? budget = null)
    {
        if (storage == ThumbnailStorage.Folder && string.IsNullOrEmpty(folder))
        {
            throw new ArgumentException("Folder storage needs the thumbnail folder.", nameof(folder));
        }
        Storage = storage;
        this.limits = limits;
        this.budget = budget ?? new DecodeBudget();
        if (storage == ThumbnailStorage.Folder)
        {
            this.folder = folder;
            folderName = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder!));
        }
    }

    /// <summary>Whether thumbnails are embedded in the HTML or written to a folder beside it.</summary>
    public ThumbnailStorage Storage { get; }

    /// <summary>Thumbnails made so far.</summary>
    public int Count => Volatile.Read(ref written);

    /// <summary>The thumbnail of the picture <paramref name="key"/> names, read by <paramref name="open"/>; throws what the decode throws (the caller shows the problem instead).</summary>
    internal Thumbnail Get(string key, Func<Stream> open)
    {
        var lazy = made.GetOrAdd(key, k => new Lazy<Thumbnail>(() => Make(k, open), LazyThreadSafetyMode.ExecutionAndPublication));
        return lazy.Value;
    }

    /// <summary>Forgets a picture once no later match can show it again (the data URIs of a large report are not all held).</summary>
    internal void Forget(string key) => made.TryRemove(key, out _);

    private Thumbnail Make(string key, Func<Stream> open)
    {
        byte[] content;
        using (var stream = open())
        {
            if (stream.CanSeek && stream.Length > limits.MaxFileBytes) throw new ImageTooLargeException(key, stream.Length, limits);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            content = copy.ToArray();
        }
        using var decoded = ImageLoader.Decode(content, key, limits, budget);
        int width = decoded.Width, height = decoded.Height;
        var scale = Math.Min(1.0, (double)MaxSide / Math.Max(width, height));
        int thumbWidth = Math.Max(1, (int)Math.Round(width * scale)), thumbHeight = Math.Max(1, (int)Math.Round(height * scale));
        if (scale < 1) decoded.Pixels.Mutate(x => x.Resize(thumbWidth, thumbHeight, KnownResamplers.Box));
        using var encoded = new MemoryStream();
        decoded.Pixels.SaveAsJpeg(encoded, new JpegEncoder { Quality = JpegQuality });
        var number = Interlocked.Increment(ref written);
        string source;
        if (folder is null)
        {
            source = "data:image/jpeg;base64," + Convert.ToBase64String(encoded.GetBuffer(), 0, (int)encoded.Length);
        }
        else
        {
            Directory.CreateDirectory(folder);
            var name = $"t{number:D6}.jpg";
            using (var file = new FileStream(Path.Combine(folder, name), FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(encoded.GetBuffer(), 0, (int)encoded.Length);
            }
            source = Uri.EscapeDataString(folderName!) + "/" + name;
        }
        return new Thumbnail(source, thumbWidth, thumbHeight, width, height);
    }
}
