namespace OptOut.Core.Gate;

/// <summary>One row could not be checked completely (an image missing or undecodable): the set is not proven clean.</summary>
public sealed record RowProblem(string Shard, string Target, Exception Error) : GateEvent;
