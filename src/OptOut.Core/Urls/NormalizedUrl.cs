using System.Globalization;
using System.Text;

namespace OptOut.Core.Urls;

/// <summary>A URL in the one spelling the index and the registry compare, with its host.</summary>
internal readonly record struct NormalizedUrl(string Url, string? Host)
{
    /// <summary>The host with its labels reversed ("com.example.www"), so a domain and its subdomains form one index range.</summary>
    public string? ReversedHost => Host is null ? null : UrlNormalizer.ReverseHost(Host);
}
