namespace OptOut.Core.Index;

/// <summary>The index was written by a newer OptOut, whose schema this one cannot read.</summary>
public sealed class IndexSchemaTooNewException : Exception
{
    public IndexSchemaTooNewException(string? version)
        : base($"The index was written by a newer OptOut (schema {version}; this one reads {IndexSchema.Version}).") => SchemaVersion = version;

    public string? SchemaVersion { get; }
}
