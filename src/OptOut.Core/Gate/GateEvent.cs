namespace OptOut.Core.Gate;

/// <summary>What a running check reports, in the order it happens (shards run in parallel).</summary>
public abstract record GateEvent;
