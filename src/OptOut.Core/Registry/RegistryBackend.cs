namespace OptOut.Core.Registry;

/// <summary>Which backend a registry location names.</summary>
public enum RegistryBackend
{
    /// <summary>A SQLite file.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database.</summary>
    Postgres,
}
