using System.Security.Cryptography;
using OptOut.Core.Imaging;
using OptOut.Core.Signals;

using OptOut.Core.OutputSafety;

namespace OptOut.Core.Reservations;

/// <summary>
/// Writes a reservation into an image file's XMP without re-encoding it: only the XMP packet (and, for a
/// simple WebP, the VP8X header that announces it) changes; every other byte is copied. Before anything
/// is written the result is decoded and its pixels compared with the original's, and its reservation is
/// read back with the same reader the gate uses; the file is then replaced in one rename.
/// </summary>
public static class ImageReservationWriter
{
    /// <summary>The container of a file, told by its first bytes.</summary>
    public static ImageContainer Detect(ReadOnlySpan<byte> file)
    {
        if (JpegMetadata.IsJpeg(file)) return ImageContainer.Jpeg;
        if (PngMetadata.IsPng(file)) return ImageContainer.Png;
        if (WebpMetadata.IsWebp(file)) return ImageContainer.Webp;
        if (file.StartsWith("GIF87a"u8) || file.StartsWith("GIF89a"u8)) return ImageContainer.Gif;
        if (file.StartsWith("II*\0"u8) || file.StartsWith("MM\0*"u8)) return ImageContainer.Tiff;
        return ImageContainer.Unknown;
    }

    /// <summary>The file's bytes with the reservation written in; nothing touches the disk.</summary>
    /// <exception cref="ReservationWriteException">The file cannot be rewritten safely.</exception>
    public static (byte[] Bytes, bool UpdatedExistingPacket) Apply(byte[] file, ImageReservation reservation, string path, ImageLimits limits)
    {
        var container = Detect(file);
        Func<byte[], byte[]?> existing;
        Func<byte[], byte[], byte[]> embed;
        switch (container)
        {
            case ImageContainer.Jpeg: existing = f => JpegXmpEmbedder.ExistingPacket(f); embed = (f, p) => JpegXmpEmbedder.Embed(f, p); break;
            case ImageContainer.Png: existing = f => PngXmpEmbedder.ExistingPacket(f); embed = (f, p) => PngXmpEmbedder.Embed(f, p); break;
            case ImageContainer.Webp: existing = f => WebpXmpEmbedder.ExistingPacket(f); embed = (f, p) => WebpXmpEmbedder.Embed(f, p); break;
            case ImageContainer.Gif: existing = f => GifXmpEmbedder.ExistingPacket(f); embed = (f, p) => GifXmpEmbedder.Embed(f, p); break;
            case ImageContainer.Tiff: existing = f => TiffXmpEmbedder.ExistingPacket(f); embed = (f, p) => TiffXmpEmbedder.Embed(f, p); break;
            default:
                throw new ReservationWriteException($"'{path}' is not a JPEG, PNG, WebP, GIF or TIFF file; OptOut writes reservations into those formats only.");
        }

        // The module's decoder reads no animated WebP: its frames are checked chunk by chunk instead.
        var chunksOnly = container == ImageContainer.Webp && ImageLoader.IsAnimatedWebp(file);
        var before = chunksOnly ? null : PixelHash(file, path, limits, "it");
        var packet = existing(file);
        var written = embed(file, XmpReservationPacket.Apply(packet, reservation));

        var unchanged = chunksOnly ? WebpXmpEmbedder.KeepsImageChunks(file, written) : PixelHash(written, path, limits, "the rewritten file") == before;
        if (!unchanged)
        {
            throw new ReservationWriteException($"Rewriting '{path}' would change its image data; the file was not changed.");
        }
        var code = DataMiningVocabulary.Code(reservation.DataMining);
        if (!EmbeddedSignals.Read(written).Any(s => s.Source == DataMiningXmp.Source && s.Value == code))
        {
            throw new ReservationWriteException($"The reservation written into '{path}' could not be read back; the file was not changed.");
        }
        return (written, packet is not null);
    }

    /// <summary>Writes the reservation into <paramref name="source"/>, or into a copy at <paramref name="destination"/>.</summary>
    public static ReservationWriteResult Write(string source, string destination, ImageReservation reservation, ImageLimits limits, bool keepTimestamps)
    {
        byte[] file;
        try
        {
            file = ImageLoader.ReadFile(source, limits);
        }
        catch (ImageTooLargeException e)
        {
            throw new ReservationWriteException(e.Message, e);
        }
        var brokeManifest = MetadataLocator.Find(file).Any(b => b.Kind == MetadataKind.Jumbf);
        var (bytes, updated) = Apply(file, reservation, source, limits);

        AtomicFile.Replace(destination, temporary =>
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(source));
            if (keepTimestamps) File.SetLastWriteTimeUtc(temporary, File.GetLastWriteTimeUtc(source));
        });
        return new ReservationWriteResult(source, destination, Detect(file), updated, brokeManifest);
    }

    private static string PixelHash(byte[] file, string path, ImageLimits limits, string what)
    {
        try
        {
            using var decoded = ImageLoader.Decode(file, path, limits);
            var pixels = new byte[decoded.Width * decoded.Height * 3];
            decoded.Pixels.CopyPixelDataTo(pixels);
            return $"{decoded.Width}x{decoded.Height}:{Convert.ToHexString(SHA256.HashData(pixels))}";
        }
        catch (ImageFileException e)
        {
            throw new ReservationWriteException($"'{path}' cannot be rewritten safely: {what} does not decode, so it is damaged or truncated ({e.Message}). The file was not changed.", e);
        }
    }
}
