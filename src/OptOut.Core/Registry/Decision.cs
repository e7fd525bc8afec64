namespace OptOut.Core.Registry;

public enum Decision
{
    /// <summary>An opt-out: no training on this.</summary>
    Refuse,

    /// <summary>Consent: training on this is allowed (what an opt-in policy looks for).</summary>
    Grant,
}
