namespace OptOut.Core.Gate;

/// <summary>A shard is done: checked, or failed (<see cref="ShardCheckResult.Failure"/>).</summary>
public sealed record ShardChecked(ShardCheckResult Result) : GateEvent;
