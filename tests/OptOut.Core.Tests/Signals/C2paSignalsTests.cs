using OptOut.Core.Signals;
using OptOut.Core.Tests.Index;

namespace OptOut.Core.Tests.Signals;

/// <summary>The C2PA / CAWG training-and-data-mining assertion in a JUMBF manifest store.</summary>
public sealed class C2paSignalsTests
{
    private const string Sample = "sample_c2pa.png";

    private static readonly string[] SampleValues =
    [
        "c2pa.ai_generative_training=notAllowed",
        "c2pa.ai_inference=notAllowed",
        "c2pa.ai_training=notAllowed",
        "c2pa.data_mining=notAllowed",
    ];

    [SharedDataFact(Sample)]
    public void The_shared_C2PA_sample_reserves_training_in_all_four_entries()
    {
        var signals = EmbeddedSignals.Read(File.ReadAllBytes(SharedData.PathOf(Sample)!));

        AssertSampleSignals(signals, "JUMBF in PNG caBX chunk, active manifest urn:uuid:8368fc8a-2601-45ec-8b3c-fceaadc5ab8f");
    }

    [SharedDataFact(Sample)]
    public void The_same_manifest_store_split_over_JPEG_APP11_segments_reads_the_same()
    {
        var store = SignalFiles.PngChunkData(File.ReadAllBytes(SharedData.PathOf(Sample)!), "caBX");
        var parts = SignalFiles.App11Parts(store, 16_000); // the 60 KB store needs four segments
        Assert.True(parts.Count >= 4);
        var jpeg = SignalFiles.JpegWithSegments(SignalFiles.Fixture("progressive.jpg"), parts.Select(p => ((byte)0xEB, p)).ToArray());

        AssertSampleSignals(EmbeddedSignals.Read(jpeg), "JUMBF in JPEG APP11, active manifest urn:uuid:8368fc8a-2601-45ec-8b3c-fceaadc5ab8f");
    }

    private static void AssertSampleSignals(IReadOnlyList<EmbeddedSignal> signals, string where)
    {
        Assert.Equal(SampleValues, signals.Select(s => s.Value).Order());
        Assert.All(signals, s => Assert.Equal("C2PA c2pa.training-mining", s.Source));
        Assert.All(signals, s => Assert.StartsWith(where + "; C2PA signature not verified", s.Detail));
        // Refusing inference is not a training reservation; the other three are.
        Assert.All(signals, s => Assert.Equal(s.Value != "c2pa.ai_inference=notAllowed", s.ProhibitsTraining));
    }

    /// <summary>
    /// entries: ai_training constrained with no terms, ai_generative_training constrained with terms,
    /// data_mining allowed, ai_inference notAllowed; written with an indefinite-length map, a chunked
    /// string and a tag around the root, which C2PA's CBOR may use.
    /// </summary>
    internal static byte[] ConstrainedAssertionCbor() => new CborWriter()
        .Tag(55799) // "self-described CBOR"
        .Map(1).Text("entries")
        .IndefiniteMap()
            .Text("c2pa.ai_training").Map(1).Text("use").ChunkedText("con", "strained")
            .Text("c2pa.ai_generative_training").Map(2).Text("use").Text("constrained").Text("constraint_info").Text("Licence terms at https://example.org/licence")
            .Text("c2pa.data_mining").Map(1).Text("use").Text("allowed")
            .Text("c2pa.ai_inference").Map(1).Text("use").Text("notAllowed")
        .Break()
        .ToArray();

    [Fact]
    public void A_hand_built_caBX_assertion_counts_constrained_as_not_allowed()
    {
        var store = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", ConstrainedAssertionCbor())]);
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("caBX", store));

        var signals = EmbeddedSignals.Read(png).ToDictionary(s => s.Value);

        Assert.Equal(4, signals.Count);
        Assert.True(signals["c2pa.ai_training=constrained"].ProhibitsTraining);
        Assert.Contains("constrained, no constraint_info given", signals["c2pa.ai_training=constrained"].Detail);
        Assert.True(signals["c2pa.ai_generative_training=constrained"].ProhibitsTraining);
        Assert.Contains("constraint_info: \"Licence terms at https://example.org/licence\"", signals["c2pa.ai_generative_training=constrained"].Detail);
        Assert.False(signals["c2pa.data_mining=allowed"].ProhibitsTraining);
        Assert.False(signals["c2pa.ai_inference=notAllowed"].ProhibitsTraining);
        Assert.All(signals.Values, s => Assert.Equal("C2PA c2pa.training-mining", s.Source));
        Assert.All(signals.Values, s => Assert.Contains("C2PA signature not verified", s.Detail));
    }

    [Fact]
    public void A_CAWG_assertion_in_JSON_with_an_instance_suffix_is_read()
    {
        const string json = """{"entries": {"cawg.ai_generative_training": {"use": "notAllowed"}, "cawg.data_mining": {"use": "allowed"}}}""";
        var store = Jumbf.ManifestStore([Jumbf.JsonAssertion("cawg.training-mining__1", json)]);
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("caBX", store));

        var signals = EmbeddedSignals.Read(png);

        Assert.Equal(2, signals.Count);
        Assert.All(signals, s => Assert.Equal("C2PA cawg.training-mining", s.Source));
        Assert.True(signals.Single(s => s.Value == "cawg.ai_generative_training=notAllowed").ProhibitsTraining);
        Assert.False(signals.Single(s => s.Value == "cawg.data_mining=allowed").ProhibitsTraining);
    }

    [Fact]
    public void A_hand_built_store_split_over_many_APP11_segments_is_joined_in_sequence_order()
    {
        var store = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.training-mining", ConstrainedAssertionCbor())]);
        var parts = SignalFiles.App11Parts(store, 40);
        Assert.True(parts.Count > 5);
        parts.Reverse(); // segments may be stored out of order; their sequence numbers give the order
        var jpeg = SignalFiles.JpegWithSegments(SignalFiles.Fixture("progressive.jpg"), parts.Select(p => ((byte)0xEB, p)).ToArray());

        var signals = EmbeddedSignals.Read(jpeg);

        Assert.Equal(4, signals.Count);
        Assert.Equal(2, signals.Count(s => s.ProhibitsTraining));
        Assert.All(signals, s => Assert.StartsWith("JUMBF in JPEG APP11, active manifest", s.Detail));
    }

    [Fact]
    public void An_ingredient_manifest_reservation_is_reported_and_marked_as_such()
    {
        var ingredient = new CborWriter().Map(1).Text("entries").Map(1).Text("c2pa.ai_training").Map(1).Text("use").Text("notAllowed").ToArray();
        var active = new CborWriter().Map(1).Text("entries").Map(1).Text("c2pa.ai_training").Map(1).Text("use").Text("allowed").ToArray();
        var store = Jumbf.ManifestStore(
            [Jumbf.CborAssertion("c2pa.training-mining", ingredient)],
            [Jumbf.CborAssertion("c2pa.hash.data", new CborWriter().Map(0).ToArray()), Jumbf.CborAssertion("c2pa.training-mining", active)]);
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("caBX", store));

        var signals = EmbeddedSignals.Read(png);

        Assert.Equal(2, signals.Count);
        Assert.True(signals[0].ProhibitsTraining);
        Assert.Contains("earlier (ingredient) manifest urn:uuid:00000000-0000-4000-8000-000000000000", signals[0].Detail);
        Assert.False(signals[1].ProhibitsTraining);
        Assert.Contains("active manifest urn:uuid:00000000-0000-4000-8000-000000000001", signals[1].Detail);
    }

    [Fact]
    public void Other_assertions_and_JUMBF_outside_a_c2pa_store_give_no_signal()
    {
        var cbor = ConstrainedAssertionCbor();
        var otherLabel = Jumbf.ManifestStore([Jumbf.CborAssertion("c2pa.actions", cbor)]);
        var otherStore = Jumbf.Superbox("abcd", "not-c2pa", Jumbf.Superbox("c2ma", "m", Jumbf.Superbox("c2as", "c2pa.assertions", Jumbf.CborAssertion("c2pa.training-mining", cbor))));
        var png = SignalFiles.PngWithChunks(SignalFiles.Fixture("base.png"), ("caBX", otherLabel), ("caBX", otherStore));

        Assert.Empty(EmbeddedSignals.Read(png));
    }
}
