namespace OptOut.Core.Registry;

/// <summary>
/// The outcome of merging a list from another registry. <paramref name="RevokedNotApplied"/>: records
/// the list marks revoked that were left alone (the import did not ask for revocations).
/// </summary>
public sealed record MergeResult(int Added, int Skipped, int Revoked, IReadOnlyList<string> Conflicts, int RevokedNotApplied = 0);
