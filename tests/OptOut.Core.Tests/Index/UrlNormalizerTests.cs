using OptOut.Core.Index;
using OptOut.Core.Urls;

namespace OptOut.Core.Tests.Index;

public class UrlNormalizerTests
{
    [Theory]
    // scheme and host case
    [InlineData("HTTP://Example.COM/Path", "http://example.com/Path")]
    [InlineData("hTTpS://WWW.Example.Org/a", "https://www.example.org/a")]
    // default ports dropped, others kept
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("https://example.com:443/a", "https://example.com/a")]
    [InlineData("http://example.com:8080/a", "http://example.com:8080/a")]
    [InlineData("https://example.com:8443/a", "https://example.com:8443/a")]
    [InlineData("http://example.com:443/a", "http://example.com:443/a")]
    [InlineData("https://example.com:80/a", "https://example.com:80/a")]
    // escapes of unreserved characters decoded, the others upper-case
    [InlineData("http://example.com/%7Euser/a", "http://example.com/~user/a")]
    [InlineData("http://example.com/%7euser", "http://example.com/~user")]
    [InlineData("http://example.com/a%2fb", "http://example.com/a%2Fb")]
    [InlineData("http://example.com/a%2Fb", "http://example.com/a%2Fb")]
    [InlineData("http://example.com/%41%62c", "http://example.com/Abc")]
    [InlineData("http://example.com/search?q=a%2bb&x=%7e", "http://example.com/search?q=a%2Bb&x=~")]
    // fragment dropped
    [InlineData("http://example.com/page#section-2", "http://example.com/page")]
    [InlineData("http://example.com/page?x=1#frag", "http://example.com/page?x=1")]
    // IDN host to punycode
    [InlineData("http://münchen.de/bild.jpg", "http://xn--mnchen-3ya.de/bild.jpg")]
    [InlineData("https://MÜNCHEN.de/", "https://xn--mnchen-3ya.de/")]
    // empty path written "/"
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("https://Example.com:443", "https://example.com/")]
    [InlineData("http://example.com?x=1", "http://example.com/?x=1")]
    // path and query keep their case
    [InlineData("http://example.com/Images/Cat.JPG?Size=Large", "http://example.com/Images/Cat.JPG?Size=Large")]
    // surrounding white space and a trailing dot on the host
    [InlineData("  http://example.com./a  ", "http://example.com/a")]
    public void Spellings_of_one_address_normalise_to_one_url(string input, string expected)
    {
        Assert.Equal(expected, UrlNormalizer.Normalize(input).Url);
    }

    [Theory]
    [InlineData("HTTP://Sub.Example.COM:8080/x", "sub.example.com", "com.example.sub")]
    [InlineData("http://münchen.de/", "xn--mnchen-3ya.de", "de.xn--mnchen-3ya")]
    [InlineData("http://www.example.com./", "www.example.com", "com.example.www")]
    public void The_host_is_normalised_and_reversed_for_range_lookups(string input, string host, string reversed)
    {
        var normalized = UrlNormalizer.Normalize(input);
        Assert.Equal(host, normalized.Host);
        Assert.Equal(reversed, normalized.ReversedHost);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("images/cat.jpg")]
    [InlineData("/data/images/Cat%7E.jpg")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("")]
    public void Non_urls_are_returned_as_written(string input)
    {
        var normalized = UrlNormalizer.Normalize(input);
        Assert.Equal(input, normalized.Url);
        Assert.Null(normalized.Host);
        Assert.Null(normalized.ReversedHost);
    }

    [Fact]
    public void Equivalent_spellings_share_the_url_hash_and_different_addresses_do_not()
    {
        var a = UrlNormalizer.Normalize("HTTP://Example.com:80/%7Ejo/Pic.png#top").Url;
        var b = UrlNormalizer.Normalize("http://example.com/~jo/Pic.png").Url;
        var c = UrlNormalizer.Normalize("http://example.com/~jo/pic.png").Url;
        Assert.Equal(a, b);
        Assert.Equal(UrlHash.Of(a), UrlHash.Of(b));
        Assert.NotEqual(UrlHash.Of(b), UrlHash.Of(c));
    }

    [Theory]
    [InlineData("Example.COM.", "example.com")]
    [InlineData("*.example.com", "example.com")]
    [InlineData(".example.com", "example.com")]
    [InlineData("https://sub.example.com/x", "sub.example.com")]
    [InlineData("HTTPS://Sub.Example.com:8443/x?y=1", "sub.example.com")]
    [InlineData("  example.com  ", "example.com")]
    [InlineData("münchen.de", "xn--mnchen-3ya.de")]
    [InlineData("MÜNCHEN.DE.", "xn--mnchen-3ya.de")]
    public void Domains_are_normalised(string input, string expected)
    {
        Assert.Equal(expected, UrlNormalizer.NormalizeDomain(input));
    }

    /// <summary>
    /// A domain claim (issue 12, item 5): spellings of a whole site are recorded as its host with a
    /// note; a path, query, port or user info would change what the claim covers, so it is refused
    /// with advice, never stored as written (it matched nothing) nor widened silently.
    /// </summary>
    [Theory]
    [InlineData("Example.COM.", "example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("münchen.de", "xn--mnchen-3ya.de", false)]
    [InlineData("https://Ex.Example/", "ex.example", true)]
    [InlineData("http://ex.example", "ex.example", true)]
    [InlineData("HTTPS://ex.example:443/", "ex.example", true)]
    [InlineData("https://ex.example/#top", "ex.example", true)]
    [InlineData("ex.example/", "ex.example", true)]
    public void A_domain_claim_takes_the_host_of_a_whole_site_with_a_note(string input, string expected, bool noted)
    {
        Assert.Equal(expected, UrlNormalizer.NormalizeDomainClaim(input, out var note));
        if (noted)
        {
            Assert.Contains(input.Trim(), note);
            Assert.Contains($"'{expected}'", note);
        }
        else
        {
            Assert.Null(note);
        }
    }

    [Theory]
    [InlineData("ex.example/path", "path", "Add-OptOut -Url")]
    [InlineData("https://ex.example/path/to/page.html", "path", "Add-OptOut -Url")]
    [InlineData("https://ex.example/?q=1", "path", "Add-OptOut -Url")]
    [InlineData("ex.example?q=1", "path", "Add-OptOut -Url")]
    [InlineData("ex.example:8080", "port", "'ex.example'")]
    [InlineData("https://ex.example:8443/", "port", "'ex.example'")]
    [InlineData("jane@ex.example", "user info", "'ex.example'")]
    [InlineData("https://jane:secret@ex.example/", "user info", "'ex.example'")]
    public void A_domain_claim_with_a_path_port_or_user_info_is_refused_with_advice(string input, string what, string advice)
    {
        var error = Assert.Throws<ArgumentException>(() => UrlNormalizer.NormalizeDomainClaim(input, out _));
        Assert.Contains($"'{input}'", error.Message);
        Assert.Contains(what, error.Message);
        Assert.Contains(advice, error.Message);
    }

    [Theory]
    [InlineData("ftp://ex.example/")]
    [InlineData("ex ample.com")]
    [InlineData("ex$ample.com")]
    [InlineData("[::1]")]
    [InlineData("")]
    public void Text_that_names_no_host_is_not_a_domain(string input)
    {
        Assert.Throws<ArgumentException>(() => UrlNormalizer.NormalizeDomainClaim(input, out _));
        Assert.Throws<ArgumentException>(() => UrlNormalizer.NormalizeDomain(input));
    }

    /// <summary>A lookup by domain (not a claim) may name a page: its host is what is searched.</summary>
    [Theory]
    [InlineData("ex.example/path", "ex.example")]
    [InlineData("https://ex.example/path", "ex.example")]
    public void A_domain_lookup_searches_the_host_of_what_it_names(string input, string expected)
    {
        Assert.Equal(expected, UrlNormalizer.NormalizeDomain(input));
    }

    [Fact]
    public void An_invalid_domain_is_an_argument_error_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => UrlNormalizer.NormalizeDomain("bad..domain"));
        Assert.Contains("bad..domain", error.Message);
    }

    /// <summary>Host reversal and the URL hash are written for speed; they give what the plain definitions give.</summary>
    [Theory]
    [InlineData("www.example.com")]
    [InlineData("example")]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".example.")]
    [InlineData("xn--bcher-kva.example.org")]
    public void ReverseHost_reverses_the_labels(string host)
    {
        var labels = host.Split('.');
        Array.Reverse(labels);
        Assert.Equal(string.Join('.', labels), UrlNormalizer.ReverseHost(host));
    }

    [Theory]
    [InlineData("https://example.com/")]
    [InlineData("https://example.com/Grüße/漢字/🎨.jpg?q=1")]
    [InlineData("")]
    public void UrlHash_is_FNV_1a_of_the_UTF8_bytes_for_short_and_long_urls(string url)
    {
        foreach (var candidate in new[] { url, url + new string('x', 2000), url + string.Concat(Enumerable.Repeat("é", 700)) })
        {
            ulong expected = 14695981039346656037UL;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(candidate)) expected = (expected ^ b) * 1099511628211UL;
            Assert.Equal(unchecked((long)expected), UrlHash.Of(candidate));
        }
    }
}
