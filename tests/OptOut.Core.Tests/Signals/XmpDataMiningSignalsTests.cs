using System.Text;
using OptOut.Core.Signals;

namespace OptOut.Core.Tests.Signals;

/// <summary>IPTC plus:DataMining in XMP, read from files written by exiftool, webpmux and ImageMagick.</summary>
public sealed class XmpDataMiningSignalsTests
{
    [Theory]
    [InlineData("dmi-aiml.jpg", "XMP in JPEG APP1")]
    [InlineData("dmi-aiml.png", "XMP in PNG iTXt chunk")]
    [InlineData("dmi-aiml.webp", "XMP in WebP \"XMP \" chunk")]
    [InlineData("dmi-aiml.tif", "XMP packet found by scanning the TIFF bytes")]
    [InlineData("dmi-aiml.gif", "XMP packet found by scanning the GIF bytes")]
    public void A_reservation_against_AI_ML_training_is_read_from_each_format(string file, string where)
    {
        var signals = EmbeddedSignals.Read(SignalFiles.Fixture(Path.Combine("signals", file)));

        var signal = Assert.Single(signals);
        Assert.Equal("XMP plus:DataMining", signal.Source);
        Assert.Equal("DMI-PROHIBITED-AIMLTRAINING", signal.Value);
        Assert.True(signal.ProhibitsTraining);
        Assert.Equal(where, signal.Detail);
    }

    [Fact]
    public void DMI_ALLOWED_is_reported_as_a_permission()
    {
        var signal = Assert.Single(EmbeddedSignals.Read(SignalFiles.Fixture("signals/dmi-allowed.png")));

        Assert.Equal("DMI-ALLOWED", signal.Value);
        Assert.False(signal.ProhibitsTraining);
    }

    [Fact]
    public void A_value_outside_the_vocabulary_is_reported_but_does_not_count_as_a_reservation()
    {
        var signal = Assert.Single(EmbeddedSignals.Read(SignalFiles.Fixture("signals/dmi-unknown.png")));

        Assert.Equal("DMI-NOT-IN-THE-VOCABULARY", signal.Value);
        Assert.False(signal.ProhibitsTraining);
        Assert.Contains("not a value of the IPTC Data Mining vocabulary", signal.Detail);
    }

    [Fact]
    public void XMP_without_plus_DataMining_gives_no_signal()
    {
        var file = SignalFiles.Fixture("signals/xmp-no-datamining.jpg");
        Assert.True(file.AsSpan().IndexOf("Test Artist"u8) > 0, "the fixture should carry XMP (dc:creator)");

        Assert.Empty(EmbeddedSignals.Read(file));
    }

    [Theory]
    [InlineData("base.png")]
    [InlineData("progressive.jpg")]
    [InlineData("exif-orientation-6.jpg")]
    [InlineData("lossy.webp")]
    [InlineData("lzw.tif")]
    [InlineData("animated.gif")]
    [InlineData("bmp24.bmp")]
    public void A_file_without_such_metadata_gives_no_signal(string file)
    {
        Assert.Empty(EmbeddedSignals.Read(SignalFiles.Fixture(file)));
    }

    [Theory]
    [InlineData("dmi-genaiml-itxt-z.png", "XMP in PNG iTXt chunk (compressed)")]
    [InlineData("dmi-genaiml-rawprofile.png", "XMP in PNG zTXt chunk \"Raw profile type xmp\" (ImageMagick)")]
    public void Compressed_XMP_in_a_PNG_is_inflated_and_read(string file, string where)
    {
        var bytes = SignalFiles.Fixture(Path.Combine("signals", file));
        Assert.True(bytes.AsSpan().IndexOf("DataMining"u8) < 0, "the packet should only be present compressed");

        var signal = Assert.Single(EmbeddedSignals.Read(bytes));

        Assert.Equal("DMI-PROHIBITED-GENAIMLTRAINING", signal.Value);
        Assert.True(signal.ProhibitsTraining);
        Assert.Equal(where, signal.Detail);
    }

    [Fact]
    public void An_rdf_resource_under_another_prefix_is_matched_by_namespace_and_carries_the_constraint_text()
    {
        var signal = Assert.Single(EmbeddedSignals.Read(SignalFiles.Fixture("signals/dmi-seeconstraint-resource.jpg")));

        Assert.Equal("DMI-PROHIBITED-SEECONSTRAINT", signal.Value);
        Assert.True(signal.ProhibitsTraining);
        Assert.Contains("plus:OtherConstraints: \"No machine learning training without a written licence.\"", signal.Detail);
        Assert.DoesNotContain("Pas d'entrainement", signal.Detail); // x-default is chosen over other languages
    }

    [Fact]
    public void The_property_written_as_an_attribute_of_rdf_Description_is_read()
    {
        var signal = Assert.Single(EmbeddedSignals.Read(SignalFiles.Fixture("signals/dmi-prohibited-attribute.png")));

        Assert.Equal("DMI-PROHIBITED", signal.Value);
        Assert.True(signal.ProhibitsTraining);
    }

    [Fact]
    public void A_prefix_bound_to_another_namespace_is_not_mistaken_for_plus()
    {
        // The same packet shape, but "plus" bound to an older, wrong namespace URI seen in the wild.
        var packet = File.ReadAllText(SignalFiles.FixturePath("signals/prohibited-attribute.xmp"))
            .Replace("http://ns.useplus.org/ldf/xmp/1.0/", "http://ns.useplus.org/LDF/1.0/");
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("iTXt", ITxt(packet)));

        Assert.Empty(EmbeddedSignals.Read(png));
    }

    [Fact]
    public void Extended_XMP_in_JPEG_is_put_together_from_its_parts_in_any_order()
    {
        // Adobe XMP part 3: the main packet names the extension by the MD5 of its text (any 32 hex
        // characters serve here); each APP1 part carries GUID, full length and offset.
        const string guid = "0123456789ABCDEF0123456789ABCDEF";
        var main = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
                   $"<rdf:Description rdf:about=\"\" xmlns:xmpNote=\"http://ns.adobe.com/xmp/note/\" xmpNote:HasExtendedXMP=\"{guid}\"/>" +
                   "</rdf:RDF></x:xmpmeta>";
        var extended = Encoding.UTF8.GetBytes(
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
            "<rdf:Description rdf:about=\"\" xmlns:plus=\"http://ns.useplus.org/ldf/xmp/1.0/\">" +
            "<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING</plus:DataMining>" +
            "</rdf:Description></rdf:RDF></x:xmpmeta>");
        var split = extended.Length / 2;
        var jpeg = SignalFiles.JpegWithSegments(SignalFiles.Fixture("progressive.jpg"),
            (0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.UTF8.GetBytes(main)]),
            (0xE1, ExtendedPart(guid, extended, split, extended.Length - split)),
            (0xE1, ExtendedPart(guid, extended, 0, split)));

        var signal = Assert.Single(EmbeddedSignals.Read(jpeg));

        Assert.Equal("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", signal.Value);
        Assert.True(signal.ProhibitsTraining);
        Assert.Equal("XMP in JPEG APP1 (Extended XMP)", signal.Detail);
    }

    internal static byte[] ITxt(string text) =>
        [.. "XML:com.adobe.xmp\0"u8, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(text)];

    private static byte[] ExtendedPart(string guid, byte[] packet, int offset, int count)
    {
        var header = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, (uint)packet.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)offset);
        return [.. "http://ns.adobe.com/xmp/extension/\0"u8, .. Encoding.ASCII.GetBytes(guid), .. header, .. packet.AsSpan(offset, count)];
    }
}
