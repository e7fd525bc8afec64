namespace OptOut.Core.Index;

/// <summary>How a row of the index matched a query.</summary>
public enum MatchKind
{
    /// <summary>The same file: equal SHA-256 or MD5.</summary>
    Exact,
    /// <summary>A verified copy (local features, geometry and aligned pixels agree), or a near-exact one by perceptual hash.</summary>
    Copy,
    /// <summary>Proposed by the fingerprints but not verified as a copy: a look-alike, or a row without pixels to verify.</summary>
    Similar,
    /// <summary>The row's caption holds the query's words.</summary>
    Caption,
    /// <summary>The row's URL is the query's (normalised).</summary>
    Url,
    /// <summary>The row's host is the query's domain or below it.</summary>
    Domain,
}
