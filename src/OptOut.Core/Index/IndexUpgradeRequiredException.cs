namespace OptOut.Core.Index;

/// <summary>
/// An index of an earlier schema opened by a read-only command: read-only commands never migrate
/// (a migration rewrites the file), so the message names the command that does.
/// </summary>
public sealed class IndexUpgradeRequiredException : Exception
{
    /// <summary>An index at <paramref name="path"/> of schema <paramref name="schemaVersion"/>, older than this build's.</summary>
    public IndexUpgradeRequiredException(string path, string schemaVersion)
        : base($"The training-set index '{path}' was written by an earlier OptOut (schema {schemaVersion}; this one reads {IndexSchema.Version}) and needs a one-time upgrade, "
            + "which a read-only command does not make. Import-TrainingSet upgrades it: run it once with this -IndexPath (importing a dataset that is already in the index adds nothing). "
            + "The index is a cache of public data, so deleting it and importing the datasets again works too.")
    {
        Path = path;
        SchemaVersion = schemaVersion;
    }

    /// <summary>The index file.</summary>
    public string Path { get; }
    /// <summary>The schema the file was written with.</summary>
    public string SchemaVersion { get; }
}
