namespace OptOut.Core.Gate;

/// <summary>Findings, a few hundred at a time (one queue hand-over each, not one a finding), in row order within a shard.</summary>
public sealed record ViolationsFound(IReadOnlyList<Violation> Violations) : GateEvent;
