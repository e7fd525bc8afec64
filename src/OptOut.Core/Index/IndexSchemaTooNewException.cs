namespace OptOut.Core.Index;

/// <summary>The index was written by a newer OptOut, whose schema this one cannot read.</summary>
public sealed class IndexSchemaTooNewException : Exception
{
    /// <summary>An index of schema <paramref name="version"/>, newer than this build's.</summary>
    public IndexSchemaTooNewException(string? version)
        : base($"The index was written by a newer OptOut (schema {version}; this one reads {IndexSchema.Version}).") => SchemaVersion = version;

    /// <summary>The schema the file was written with.</summary>
    public string? SchemaVersion { get; }
}
