namespace OptOut.Core.Gate;

/// <summary>
/// A shard's clean copy, read back with the same reader and checked with the same rules, does not
/// hold what it should: a row still breaks a rule, rows are missing or extra, or rows that were
/// read in the original cannot be read in the copy. The copy is not published.
/// </summary>
public sealed class CleanCopyCheckException(string message) : IOException(message);
