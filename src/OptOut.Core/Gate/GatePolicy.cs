namespace OptOut.Core.Gate;

/// <summary>What a training set must satisfy.</summary>
public enum GatePolicy
{
    /// <summary>Everything may be trained on except what someone refused.</summary>
    OptOut,

    /// <summary>Nothing may be trained on without a recorded grant (and a refusal still wins over a grant).</summary>
    OptIn,
}
