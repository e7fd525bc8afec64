namespace OptOut.Core.Index;

/// <summary>What <see cref="IndexFile.Inspect"/> found: the kind, the schema version when it is an index, and why it is not one when it is not.</summary>
internal sealed record IndexFileState(IndexFileKind Kind, string? SchemaVersion = null, string? Reason = null);
