using OptOut.Core.Signals;

namespace OptOut.Core.Tests.Signals;

/// <summary>The CBOR reader against the encoded examples of RFC 8949, Appendix A.</summary>
public sealed class MinimalCborSignalsTests
{
    private static object? Decode(string hex) => MinimalCbor.Decode(Convert.FromHexString(hex));

    [Theory]
    [InlineData("00", 0L)]
    [InlineData("17", 23L)]
    [InlineData("1818", 24L)]
    [InlineData("1903e8", 1000L)]
    [InlineData("1a000f4240", 1000000L)]
    [InlineData("1b000000e8d4a51000", 1000000000000L)]
    [InlineData("20", -1L)]
    [InlineData("3903e7", -1000L)]
    public void Integers(string hex, long expected) => Assert.Equal(expected, Decode(hex));

    [Theory]
    [InlineData("f93c00", 1.0)]
    [InlineData("f97bff", 65504.0)]
    [InlineData("fa47c35000", 100000.0)]
    [InlineData("fb3ff199999999999a", 1.1)]
    [InlineData("1bffffffffffffffff", 18446744073709551615.0)]
    public void Floats_and_integers_past_long(string hex, double expected) => Assert.Equal(expected, Decode(hex));

    [Fact]
    public void Simple_values_text_bytes_and_tags()
    {
        Assert.Equal(false, Decode("f4"));
        Assert.Equal(true, Decode("f5"));
        Assert.Null(Decode("f6"));
        Assert.Equal("IETF", Decode("6449455446"));
        Assert.Equal("\u00fc", Decode("62c3bc"));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Decode("4401020304"));
        Assert.Equal("2013-03-21T20:04:00Z", Decode("c074323031332d30332d32315432303a30343a30305a")); // tag 0 kept as its text
        Assert.Equal("streaming", Decode("7f657374726561646d696e67ff"));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, Decode("5f42010243030405ff"));
    }

    [Fact]
    public void Arrays_and_maps_definite_and_indefinite()
    {
        var nested = Assert.IsType<List<object?>>(Decode("9f018202039f0405ffff"));
        Assert.Equal(3, nested.Count);
        Assert.Equal(new object?[] { 2L, 3L }, Assert.IsType<List<object?>>(nested[1]));
        Assert.Equal(new object?[] { 4L, 5L }, Assert.IsType<List<object?>>(nested[2]));

        var map = Assert.IsType<Dictionary<string, object?>>(Decode("bf61610161629f0203ffff"));
        Assert.Equal(1L, map["a"]);
        Assert.Equal(new object?[] { 2L, 3L }, Assert.IsType<List<object?>>(map["b"]));

        var intKeys = Assert.IsType<Dictionary<string, object?>>(Decode("a201020304"));
        Assert.Equal(2L, intKeys["1"]);
        Assert.Equal(4L, intKeys["3"]);
    }

    [Theory]
    [InlineData("")] // nothing
    [InlineData("18")] // argument missing
    [InlineData("62c3")] // text shorter than its length
    [InlineData("9f01")] // indefinite array without a break
    [InlineData("ff")] // a break where an item belongs
    [InlineData("1c")] // reserved additional information
    [InlineData("7f01ff")] // an integer inside an indefinite text string
    [InlineData("62c328")] // invalid UTF-8
    [InlineData("9bffffffffffffffff")] // an array claiming 2^64-1 items
    public void Malformed_items_are_refused_with_a_format_error(string hex)
    {
        Assert.Throws<CborFormatException>(() => Decode(hex));
    }
}
