using OptOut.Core.Registry.Postgres;

namespace OptOut.Core.Registry;

/// <summary>Opens the registry a <see cref="RegistryLocation"/> names, on its backend.</summary>
public static class ConsentRegistries
{
    /// <summary>The variable that names the registry when no -RegistryPath is given: a file path or a PostgreSQL connection string.</summary>
    public const string RegistryVariable = "OPTOUT_REGISTRY";

    /// <summary>Opens for writing: a new registry is created, an older one migrated.</summary>
    public static IConsentRegistry Open(RegistryLocation location, string user) => location.Backend == RegistryBackend.Postgres
        ? PostgresRegistryStore.Open(location, user)
        : RegistryStore.Open(location.FilePath!, user);

    /// <summary>Opens an existing registry read-only; nothing is created, migrated or written.</summary>
    public static IConsentRegistry OpenReadOnly(RegistryLocation location) => location.Backend == RegistryBackend.Postgres
        ? PostgresRegistryStore.OpenReadOnly(location)
        : RegistryStore.OpenReadOnly(location.FilePath!);

    /// <summary>
    /// Whether a registry may be there: for a file, that something is at the path (what it is
    /// is checked on opening); for PostgreSQL, that the database holds one (it is connected to).
    /// </summary>
    public static bool Exists(RegistryLocation location) => location.Backend == RegistryBackend.Postgres
        ? PostgresRegistryStore.Exists(location)
        : File.Exists(location.FilePath) || Directory.Exists(location.FilePath);
}
