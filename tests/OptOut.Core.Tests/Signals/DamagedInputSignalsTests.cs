using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using OptOut.Core.Signals;
using OptOut.Core.Tests.Index;

namespace OptOut.Core.Tests.Signals;

/// <summary>Damaged, truncated and hostile metadata: no exception, no hang, bounded work.</summary>
public sealed class DamagedInputSignalsTests
{
    private static byte[] HandBuiltC2paPng() => SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"),
        ("caBX", Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", C2paSignalsTests.ConstrainedAssertionCbor())])));

    private static byte[] HandBuiltC2paJpeg()
    {
        var store = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", C2paSignalsTests.ConstrainedAssertionCbor())]);
        return SignalFiles.JpegWithSegments(SignalFiles.Fixture("progressive.jpg"),
            SignalFiles.App11Parts(store, 100).Select(p => ((byte)0xEB, p)).ToArray());
    }

    [Fact]
    public void An_XMP_packet_cut_off_in_the_middle_gives_no_signal()
    {
        var file = SignalFiles.Fixture("signals/dmi-aiml.jpg");
        var cut = file.AsSpan().IndexOf("</plus:DataMining>"u8);
        Assert.True(cut > 0);

        Assert.Empty(EmbeddedSignals.Read(file.AsSpan(0, cut)));
    }

    [Fact]
    public void An_XMP_packet_that_is_not_well_formed_gives_no_signal()
    {
        var file = SignalFiles.Fixture("signals/dmi-aiml.png");
        var damaged = (byte[])file.Clone();
        var close = damaged.AsSpan().IndexOf("</plus:DataMining>"u8);
        damaged[close + 2] = (byte)'Q'; // </pQus:DataMining>: mismatched end tag

        Assert.Single(EmbeddedSignals.Read(file));
        Assert.Empty(EmbeddedSignals.Read(damaged));
    }

    [Fact]
    public void A_packet_with_a_DTD_is_refused_rather_than_expanded()
    {
        // Without the x:xmpmeta wrapper the whole text, DTD included, reaches the XML parser. Were DTDs
        // processed, the entity &v; would expand to a reservation (and &f; to a million characters).
        const string packet = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
              <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
              <!ENTITY v "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED">]>
            <r xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="&v;">&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</r>
            """;
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("iTXt", XmpDataMiningSignalsTests.ITxt(packet)));
        var withoutDtd = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("iTXt", XmpDataMiningSignalsTests.ITxt(
            """<r xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"/>""")));

        var watch = Stopwatch.StartNew();
        Assert.Empty(EmbeddedSignals.Read(png));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal("DMI-PROHIBITED", Assert.Single(EmbeddedSignals.Read(withoutDtd)).Value); // the same packet, entity written out
    }

    [Fact]
    public void Many_opening_tags_without_closing_ones_are_scanned_in_linear_time()
    {
        // A "TIFF" of 8 MB of unclosed <x:xmpmeta tags, then one real packet.
        var opening = "<x:xmpmeta "u8.ToArray();
        using var file = new MemoryStream();
        file.Write("II*\0"u8);
        for (var i = 0; i < (8 << 20) / opening.Length; i++) file.Write(opening);
        file.Write(File.ReadAllBytes(SignalFiles.FixturePath("signals/prohibited-attribute.xmp")));

        var watch = Stopwatch.StartNew();
        var signals = EmbeddedSignals.Read(file.ToArray());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        // Packets do not nest, so the real packet is the one that opens last before its closing tag.
        Assert.Equal("DMI-PROHIBITED", Assert.Single(signals).Value);
    }

    [Fact]
    public void A_zlib_bomb_in_a_compressed_iTXt_is_given_up_at_the_packet_cap()
    {
        // 64 MB of spaces around a real packet compress to a few tens of KB; the cap is 4 MB.
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"u8);
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (var i = 0; i < 64; i++) zlib.Write(spaces);
            zlib.Write("</x:xmpmeta>"u8);
        }
        Assert.True(compressed.Length < 1 << 20);
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"),
            ("iTXt", [.. "XML:com.adobe.xmp\0"u8, 1, 0, 0, 0, .. compressed.ToArray()]));

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Assert.Empty(EmbeddedSignals.Read(png));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < 64L << 20, "inflating should stop at the cap");
    }

    [Fact]
    public void Forged_JUMBF_box_lengths_are_cut_to_the_bytes_present()
    {
        var store = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", C2paSignalsTests.ConstrainedAssertionCbor())]);

        var huge = (byte[])store.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge, uint.MaxValue); // the store claims 4 GB
        byte[] extended = [0, 0, 0, 1, .. "jumb"u8, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, .. store.AsSpan(8)]; // 64-bit length, 9 EB
        var toEnd = (byte[])store.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(toEnd, 0); // "to the end of the data"
        var tooShort = (byte[])store.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(tooShort, 3); // shorter than its own header

        // The reservations are still inside the boxes that claim too much, and read.
        Assert.Equal(4, ReadPng(huge).Count);
        Assert.Equal(4, ReadPng(extended).Count);
        Assert.Equal(4, ReadPng(toEnd).Count);
        Assert.Empty(ReadPng(tooShort));
    }

    [Fact]
    public void Damaged_CBOR_in_an_assertion_gives_no_signal()
    {
        var forgedArray = new CborWriter().Map(1).Text("entries").Head(4, ulong.MaxValue).ToArray(); // 2^64-1 items
        var forgedText = new CborWriter().Map(1).Text("entries").Head(3, 1UL << 40).ToArray(); // a 1 TB string
        var unterminated = new CborWriter().IndefiniteMap().Text("entries").IndefiniteMap().ToArray(); // no breaks
        var deep = new CborWriter();
        for (var i = 0; i < 100_000; i++) deep.Head(4, 1); // arrays nested 100,000 deep
        var reserved = new CborWriter().Map(1).Text("entries").Raw(0x1C).ToArray(); // reserved additional info

        foreach (var cbor in new[] { forgedArray, forgedText, unterminated, deep.ToArray(), reserved })
        {
            var store = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", cbor)]);
            Assert.Empty(ReadPng(store));
        }
    }

    [Fact]
    public void A_damaged_assertion_does_not_hide_the_rest_of_the_store()
    {
        var damaged = new CborWriter().Map(1).Text("entries").Head(4, 1000).ToArray(); // an array cut short
        var whole = new CborWriter().Map(1).Text("entries").Map(1).Text("c2pa.ai_training").Map(1).Text("use").Text("notAllowed").ToArray();
        var store = Jumbf.ManifestStore(
            [Jumbf.CborAssertion("c2pa.training-mining", damaged)],
            [Jumbf.CborAssertion("c2pa.training-mining", whole)]);

        var signal = Assert.Single(ReadPng(store));

        Assert.Equal("c2pa.ai_training=notAllowed", signal.Value);
        Assert.Contains("active manifest", signal.Detail);
    }

    [Fact]
    public void Damaged_JSON_in_an_assertion_gives_no_signal()
    {
        byte[] invalidUtf8 = [.. """{"entries": {"c2pa.ai_training": {"use": "not"""u8, 0xF0, 0x28, .. "\"}}}"u8];
        var cases = new[]
        {
            """{"entries": {"c2pa.ai_training": {"use": "\ud800"}}}""", // a lone surrogate
            """{"entries": {"c2pa.ai_training": {"use": "notAllowed"}""", // cut off
            string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000)), // nested too deep
        }.Select(Encoding.UTF8.GetBytes).Append(invalidUtf8);

        foreach (var json in cases)
        {
            var store = Jumbf.ManifestStore([Jumbf.Superbox("json", "c2pa.training-mining", Jumbf.Box("json", json))]);
            Assert.Empty(ReadPng(store));
        }
    }

    [Fact]
    public void Every_truncation_of_files_with_signals_reads_without_an_exception()
    {
        var files = new[]
        {
            SignalFiles.Fixture("signals/dmi-aiml.jpg"),
            SignalFiles.Fixture("signals/dmi-aiml.png"),
            SignalFiles.Fixture("signals/dmi-aiml.webp"),
            SignalFiles.Fixture("signals/dmi-genaiml-itxt-z.png"),
            SignalFiles.Fixture("signals/dmi-genaiml-rawprofile.png"),
            HandBuiltC2paPng(),
            HandBuiltC2paJpeg(),
        };
        foreach (var file in files)
        {
            var complete = EmbeddedSignals.Read(file).Count;
            Assert.True(complete > 0);
            for (var length = 0; length < file.Length; length++)
            {
                Assert.True(EmbeddedSignals.Read(file.AsSpan(0, length)).Count <= complete);
            }
        }
    }

    [Fact]
    public void Random_byte_damage_reads_without_an_exception_or_a_hang()
    {
        var files = new[]
        {
            SignalFiles.Fixture("signals/dmi-aiml.jpg"),
            SignalFiles.Fixture("signals/dmi-aiml.tif"),
            SignalFiles.Fixture("signals/dmi-seeconstraint-resource.jpg"),
            SignalFiles.Fixture("signals/dmi-genaiml-itxt-z.png"),
            SignalFiles.Fixture("signals/dmi-genaiml-rawprofile.png"),
            HandBuiltC2paPng(),
            HandBuiltC2paJpeg(),
        };
        var random = new Random(20240611);
        var watch = Stopwatch.StartNew();
        var reads = 0;
        foreach (var file in files)
        {
            // Damage only the metadata part (before the pixels), where it is parsed.
            var metadataEnd = Math.Min(file.Length, Math.Max(MetadataEnd(file), 64));
            for (var round = 0; round < 2000; round++)
            {
                var damaged = (byte[])file.Clone();
                var flips = random.Next(1, 6);
                for (var i = 0; i < flips; i++) damaged[random.Next(metadataEnd)] = (byte)random.Next(256);
                EmbeddedSignals.Read(damaged);
                reads++;
            }
        }
        Assert.Equal(files.Length * 2000, reads);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{reads} reads took {watch.Elapsed}");
    }

    [SharedDataFact("sample_c2pa.png")]
    public void The_shared_C2PA_sample_truncated_or_damaged_in_its_manifest_reads_without_an_exception()
    {
        var sample = File.ReadAllBytes(SharedData.PathOf("sample_c2pa.png")!);
        var assertion = sample.AsSpan().IndexOf("c2pa.training-mining"u8);
        Assert.True(assertion > 0);

        // Cut at every byte around the assertion (its description, CBOR and the boxes after it).
        for (var length = assertion - 200; length < assertion + 400; length++)
        {
            Assert.True(EmbeddedSignals.Read(sample.AsSpan(0, length)).Count <= 4);
        }

        // Overwrite the CBOR of the assertion with noise: that assertion is lost, nothing throws.
        var random = new Random(7);
        for (var round = 0; round < 2000; round++)
        {
            var damaged = (byte[])sample.Clone();
            for (var i = 0; i < 4; i++) damaged[assertion + random.Next(300)] = (byte)random.Next(256);
            Assert.True(EmbeddedSignals.Read(damaged).Count <= 4);
        }
    }

    private static IReadOnlyList<EmbeddedSignal> ReadPng(byte[] cabx) =>
        EmbeddedSignals.Read(SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("caBX", cabx)));

    /// <summary>Where the image data starts: the first IDAT, the JPEG scan, or the end of a TIFF's XMP.</summary>
    private static int MetadataEnd(byte[] file)
    {
        var span = file.AsSpan();
        foreach (var marker in new[] { "IDAT"u8.ToArray(), new byte[] { 0xFF, 0xDA }, "</x:xmpmeta>"u8.ToArray() })
        {
            var at = span.IndexOf(marker);
            if (at > 0) return at + marker.Length;
        }
        return file.Length;
    }
}
