namespace OptOut.Core.Registry;

/// <summary>What a claim says: refuse training or grant it.</summary>
public enum Decision
{
    /// <summary>An opt-out: no training on this.</summary>
    Refuse,

    /// <summary>Consent: training on this is allowed (what an opt-in policy looks for).</summary>
    Grant,
}
