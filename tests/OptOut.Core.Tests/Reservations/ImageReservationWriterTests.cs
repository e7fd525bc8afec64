using System.Security.Cryptography;
using OptOut.Core.Imaging;
using OptOut.Core.Reservations;
using OptOut.Core.Signals;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace OptOut.Core.Tests.Reservations;

/// <summary>
/// Reservations written into real files made by other encoders (tests/fixtures, see its README), read
/// back by exiftool and by the gate's own reader, with the decoded pixels compared by ImageSharp.
/// </summary>
public class ImageReservationWriterTests
{
    private static readonly ImageReservation Reservation = new(DataMiningValue.Prohibited, Constraint: "No AI training without a licence.", Creator: "Jane Doe");

    private static string Fixture(string name) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", name);

    private static string CopyToScratch(string fixture)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), Path.GetFileName(fixture));
        File.Copy(fixture, path);
        return path;
    }

    private static string Write(string path, ImageReservation? reservation = null, bool keepTimestamps = true) =>
        ImageReservationWriter.Write(path, path, reservation ?? Reservation, ImageLimits.Default, keepTimestamps).Destination;

    /// <summary>Every pixel of every frame, as ImageSharp decodes it, hashed.</summary>
    private static string Pixels(string path)
    {
        using var image = Image.Load<Rgba32>(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (ImageFrame<Rgba32> frame in image.Frames)
        {
            var bytes = new byte[frame.Width * frame.Height * 4];
            frame.CopyPixelDataTo(bytes);
            hash.AppendData(bytes);
        }
        return $"{image.Width}x{image.Height}x{image.Frames.Count}:{Convert.ToHexString(hash.GetHashAndReset())}";
    }

    private static List<EmbeddedSignal> DataMiningSignals(string path) =>
        EmbeddedSignals.Read(File.ReadAllBytes(path)).Where(s => s.Source == "XMP plus:DataMining").ToList();

    [ExiftoolTheory]
    [InlineData("progressive.jpg")]
    [InlineData("exif-orientation-6.jpg")]
    [InlineData("cmyk.jpg")]
    [InlineData("base.png")]
    [InlineData("palette.png")]
    [InlineData("rgba.png")]
    [InlineData("rgb16.png")]
    [InlineData("lossy.webp")]
    [InlineData("animated.gif")]
    [InlineData("signals/dmi-aiml.jpg")]
    [InlineData("signals/dmi-aiml.webp")]
    [InlineData("signals/dmi-aiml.gif")]
    [InlineData("signals/dmi-allowed.png")]
    [InlineData("signals/dmi-genaiml-itxt-z.png")]
    [InlineData("signals/dmi-genaiml-rawprofile.png")]
    [InlineData("signals/dmi-seeconstraint-resource.jpg")]
    [InlineData("signals/xmp-no-datamining.jpg")]
    [InlineData("lzw.tif")]
    [InlineData("signals/dmi-aiml.tif")]
    public void Each_format_carries_one_reservation_that_exiftool_reads_and_its_pixels_stay(string fixture)
    {
        var path = CopyToScratch(Fixture(fixture));
        var pixelsBefore = Pixels(path);

        Write(path);

        var tags = Exiftool.Read(path);
        Assert.Equal("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", tags["XMP-plus:DataMining"].GetString());
        Assert.Equal("No AI training without a licence.", tags["XMP-plus:OtherConstraints"].GetString());
        Assert.Equal("Jane Doe", tags["XMP-dc:Creator"].ValueKind == System.Text.Json.JsonValueKind.Array ? tags["XMP-dc:Creator"][0].GetString() : tags["XMP-dc:Creator"].GetString());
        Assert.False(tags.ContainsKey("ExifTool:Warning"), tags.TryGetValue("ExifTool:Warning", out var w) ? w.ToString() : "");
        Assert.False(tags.ContainsKey("ExifTool:Error"));
        var signal = Assert.Single(DataMiningSignals(path));
        Assert.Equal(("DMI-PROHIBITED", true), (signal.Value, signal.ProhibitsTraining));
        Assert.Equal(pixelsBefore, Pixels(path));
        if (ImageMagick.Installed)
        {
            // An independent decoder: every frame, pixel for pixel, as it decodes the original.
            var (exitCode, pixels, errors) = ImageMagick.Decode(path);
            Assert.True(exitCode == 0, errors);
            Assert.NotEmpty(pixels);
            Assert.Equal(ImageMagick.Decode(Fixture(fixture)).Pixels, pixels);
        }
    }

    [ExiftoolFact]
    public void Other_metadata_is_kept_and_a_second_write_changes_nothing()
    {
        var path = CopyToScratch(Fixture("signals/xmp-no-datamining.jpg"));
        var exifPath = CopyToScratch(Fixture("exif-orientation-6.jpg"));
        var reservation = new ImageReservation(DataMiningValue.ProhibitedExceptSearchEngineIndexing);

        Write(path, reservation);
        Write(exifPath, reservation);
        var once = File.ReadAllBytes(path);
        Write(path, reservation);

        Assert.Equal(once, File.ReadAllBytes(path));
        var tags = Exiftool.Read(path);
        Assert.Equal("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", tags["XMP-plus:DataMining"].GetString());
        Assert.Equal("Test Artist", tags["XMP-dc:Creator"].ValueKind == System.Text.Json.JsonValueKind.Array ? tags["XMP-dc:Creator"][0].GetString() : tags["XMP-dc:Creator"].GetString());
        Assert.Equal("All rights reserved", tags["XMP-dc:Rights"].GetString());
        Assert.Equal("Rotate 90 CW", Exiftool.Read(exifPath)["IFD0:Orientation"].GetString());
    }

    [ExiftoolFact]
    public void An_animated_webp_keeps_every_frame_chunk_byte_for_byte()
    {
        var path = CopyToScratch(Fixture("reservations/animated.webp"));
        var original = File.ReadAllBytes(path);

        Write(path);

        var written = File.ReadAllBytes(path);
        Assert.Equal("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", Exiftool.Read(path)["XMP-plus:DataMining"].GetString());
        Assert.Single(DataMiningSignals(path));
        // ANIM and both ANMF frames, as they were.
        foreach (var fourCc in new[] { "ANIM", "ANMF" })
        {
            var at = original.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(fourCc));
            var length = 8 + BitConverter.ToInt32(original, at + 4);
            Assert.True(written.AsSpan().IndexOf(original.AsSpan(at, length)) > 0, fourCc);
        }
        Assert.Equal(0x02 | 0x04, written[20] & 0x06);
    }

    [ExiftoolFact]
    public void A_jpeg_with_extended_xmp_keeps_it_and_the_main_packet_still_points_at_it()
    {
        var path = CopyToScratch(Fixture("progressive.jpg"));
        var description = string.Concat(Enumerable.Repeat("A long artist statement. ", 4000)); // ~100 KB: exiftool moves it into Extended XMP
        RunExiftool("-overwrite_original", $"-XMP-dc:Description={description}", path);
        Assert.Contains("http://ns.adobe.com/xmp/extension/", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path)), StringComparison.Ordinal);

        Write(path);

        var tags = Exiftool.Read(path);
        Assert.Equal("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", tags["XMP-plus:DataMining"].GetString());
        Assert.Equal(description, tags["XMP-dc:Description"].GetString());
        Assert.False(tags.ContainsKey("ExifTool:Warning"), tags.TryGetValue("ExifTool:Warning", out var w) ? w.ToString() : "");
    }

    private static void RunExiftool(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Exiftool.Executable!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }

    [Fact]
    public void A_tiff_keeps_every_byte_it_had_and_points_its_header_at_the_new_ifd()
    {
        var path = CopyToScratch(Fixture("signals/dmi-aiml.tif"));
        var original = File.ReadAllBytes(path);

        Write(path);
        Write(path);

        var written = File.ReadAllBytes(path);
        // Everything after the header is where it was, but the old packet, blanked: strips and the old IFD are only appended to.
        var oldPacket = original.AsSpan().IndexOf("<?xpacket begin"u8);
        var oldEnd = original.AsSpan().IndexOf("<?xpacket end"u8);
        Assert.True(oldPacket > 0 && oldEnd > oldPacket);
        Assert.True(written.AsSpan(8, oldPacket - 8).SequenceEqual(original.AsSpan(8, oldPacket - 8)));
        Assert.True(written.AsSpan(oldEnd + 20, original.Length - oldEnd - 20).SequenceEqual(original.AsSpan(oldEnd + 20)));
        Assert.Equal(-1, written.AsSpan(0, original.Length).IndexOf("DMI-PROHIBITED-AIMLTRAINING"u8));
        Assert.NotEqual(BitConverter.ToUInt32(original, 4), BitConverter.ToUInt32(written, 4));
        Assert.Single(DataMiningSignals(path));
    }

    [ExiftoolFact]
    public void An_icc_profile_is_kept_byte_for_byte_and_still_read_by_exiftool()
    {
        // No ICC file is served here: a minimal ICC v2 display profile (header, one 'desc' tag) built
        // byte by byte, embedded by ImageSharp's JPEG encoder (APP2 ICC_PROFILE).
        var icc = MinimalIccProfile("OptOut test display");
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "icc.jpg");
        using (var image = Image.Load<Rgba32>(Fixture("base.png")))
        {
            image.Metadata.IccProfile = new SixLabors.ImageSharp.Metadata.Profiles.Icc.IccProfile(icc);
            image.SaveAsJpeg(path);
        }
        var original = File.ReadAllBytes(path);
        var app2 = original.AsSpan().IndexOf("ICC_PROFILE\0"u8);
        Assert.True(app2 > 0, "ImageSharp wrote no ICC profile");
        var segment = original.AsSpan(app2 - 4, 2 + ((original[app2 - 2] << 8) | original[app2 - 1])).ToArray();
        Assert.Equal("OptOut test display", Exiftool.Read(path)["ICC_Profile:ProfileDescription"].GetString());

        Write(path);

        Assert.True(File.ReadAllBytes(path).AsSpan().IndexOf(segment) > 0);
        var tags = Exiftool.Read(path);
        Assert.Equal("OptOut test display", tags["ICC_Profile:ProfileDescription"].GetString());
        Assert.Equal("http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", tags["XMP-plus:DataMining"].GetString());
    }

    private static byte[] MinimalIccProfile(string description)
    {
        var text = System.Text.Encoding.ASCII.GetBytes(description + "\0");
        var desc = new List<byte>();
        desc.AddRange("desc"u8.ToArray());
        desc.AddRange(new byte[4]);
        desc.AddRange(BigEndian((uint)text.Length));
        desc.AddRange(text);
        desc.AddRange(new byte[4 + 4 + 2 + 1 + 67]); // no Unicode or ScriptCode description
        while (desc.Count % 4 != 0) desc.Add(0);
        const int tagAt = 128 + 4 + 12;
        var profile = new byte[tagAt + desc.Count];
        BigEndian((uint)profile.Length).CopyTo(profile, 0);
        BigEndian(0x02100000).CopyTo(profile, 8);                 // version 2.1
        "mntr"u8.ToArray().CopyTo(profile, 12);                   // display device
        "RGB "u8.ToArray().CopyTo(profile, 16);
        "XYZ "u8.ToArray().CopyTo(profile, 20);
        "acsp"u8.ToArray().CopyTo(profile, 36);
        BigEndian(0x0000F6D6).CopyTo(profile, 68);                // D50 illuminant
        BigEndian(0x00010000).CopyTo(profile, 72);
        BigEndian(0x0000D32D).CopyTo(profile, 76);
        BigEndian(1).CopyTo(profile, 128);                        // one tag
        "desc"u8.ToArray().CopyTo(profile, 132);
        BigEndian(tagAt).CopyTo(profile, 136);
        BigEndian((uint)desc.Count).CopyTo(profile, 140);
        desc.CopyTo(profile, tagAt);
        return profile;
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    [Fact]
    public void Only_the_metadata_changes_outside_the_xmp_segment()
    {
        var path = CopyToScratch(Fixture("progressive.jpg"));
        var original = File.ReadAllBytes(path);
        Write(path);
        var written = File.ReadAllBytes(path);

        // Everything from the first scan on is the original's, byte for byte.
        var sos = original.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        var sosAfter = written.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        Assert.True(written.AsSpan(sosAfter).SequenceEqual(original.AsSpan(sos)));
    }

    [Fact]
    public void A_simple_webp_gains_a_vp8x_header_with_its_canvas_size_and_alpha_flag()
    {
        var lossy = CopyToScratch(Fixture("lossy.webp"));
        var lossless = Path.Combine(TestEnvironment.NewScratchFolder(), "alpha.webp");
        using (var rgba = Image.Load<Rgba32>(Fixture("rgba.png")))
        {
            rgba.Save(lossless, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
        }
        var pixels = Pixels(lossless);

        Write(lossy);
        Write(lossless);

        foreach (var (path, alpha) in new[] { (lossy, false), (lossless, true) })
        {
            var bytes = File.ReadAllBytes(path);
            Assert.Equal("VP8X", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
            Assert.Equal(0x04, bytes[20] & 0x04);
            Assert.Equal(alpha, (bytes[20] & 0x10) != 0);
            Assert.Equal((63, 47), (bytes[24] | bytes[25] << 8 | bytes[26] << 16, bytes[27] | bytes[28] << 8 | bytes[29] << 16));
            var info = Image.Identify(path);
            Assert.Equal((64, 48), (info.Width, info.Height));
        }
        Assert.Equal(pixels, Pixels(lossless));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bad-crc")]
    [InlineData("text")]
    public void A_file_that_cannot_be_rewritten_safely_is_refused_and_left_as_it_was(string damage)
    {
        var folder = TestEnvironment.NewScratchFolder();
        string path;
        switch (damage)
        {
            case "truncated":
                path = Path.Combine(folder, "cut.jpg");
                var jpeg = File.ReadAllBytes(Fixture("progressive.jpg"));
                File.WriteAllBytes(path, jpeg[..(jpeg.Length * 6 / 10)]);
                break;
            case "bad-crc":
                path = Path.Combine(folder, "bad.png");
                var png = File.ReadAllBytes(Fixture("base.png"));
                png[png.Length - 20] ^= 0xFF; // inside the last IDAT
                File.WriteAllBytes(path, png);
                break;
            default:
                path = Path.Combine(folder, "notes.jpg");
                File.WriteAllText(path, "not a picture");
                break;
        }
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<ReservationWriteException>(() => Write(path));

        Assert.Contains(damage switch { "text" => "not a JPEG", _ => "damaged" }, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc), File.GetLastWriteTimeUtc(path));
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void Timestamps_are_kept_unless_told_otherwise_and_a_copy_leaves_the_original_alone()
    {
        var path = CopyToScratch(Fixture("base.png"));
        var stamp = new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        var original = File.ReadAllBytes(path);
        var copy = Path.Combine(TestEnvironment.NewScratchFolder(), "marked.png");

        ImageReservationWriter.Write(path, copy, Reservation, ImageLimits.Default, keepTimestamps: true);
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));
        Assert.Single(DataMiningSignals(copy));

        Write(path, keepTimestamps: false);
        Assert.True(File.GetLastWriteTimeUtc(path) > stamp);
    }

    [Fact]
    public void A_c2pa_manifest_is_reported_as_broken_by_the_change()
    {
        var shared = Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "data", "sample_c2pa.png");
        var plain = CopyToScratch(Fixture("base.png"));
        Assert.False(ImageReservationWriter.Write(plain, plain, Reservation, ImageLimits.Default, true).BrokeC2paManifest);
        if (!File.Exists(shared)) return; // the shared reference data is optional (../shared/data/README.md)

        var path = CopyToScratch(shared);
        var result = ImageReservationWriter.Write(path, path, Reservation, ImageLimits.Default, true);

        Assert.True(result.BrokeC2paManifest);
        Assert.Contains(EmbeddedSignals.Read(File.ReadAllBytes(path)), s => s.Source.StartsWith("C2PA", StringComparison.Ordinal));
    }

    [Fact]
    public void A_constraint_is_required_for_see_constraint_and_a_web_statement_must_be_http()
    {
        var path = CopyToScratch(Fixture("base.png"));
        Assert.Throws<ArgumentException>(() => Write(path, new ImageReservation(DataMiningValue.ProhibitedSeeConstraint)));
        Assert.Throws<ArgumentException>(() => Write(path, new ImageReservation(DataMiningValue.Prohibited, WebStatement: "javascript:alert(1)")));
        Assert.Equal(File.ReadAllBytes(Fixture("base.png")), File.ReadAllBytes(path));
    }
}
