namespace OptOut.Core.Gate;

/// <summary>Why a row may not be trained on; each finding names one.</summary>
public enum GateRule
{
    /// <summary>The row's URL (normalised as in the index) has an active refusal.</summary>
    Url,

    /// <summary>The row's host or a parent domain has an active refusal.</summary>
    Domain,

    /// <summary>The row's picture matches a content refusal (hash, perceptual hash or embedding).</summary>
    Content,

    /// <summary>The local image carries an embedded reservation (IPTC plus:DataMining, C2PA training-mining).</summary>
    Signal,

    /// <summary>Under the opt-in policy: no active grant covers the row.</summary>
    NoConsent,

    /// <summary>The site the row's URL is on reserves it (robots.txt, ai.txt, TDMRep or headers in the folder given for that host).</summary>
    Site,
}
