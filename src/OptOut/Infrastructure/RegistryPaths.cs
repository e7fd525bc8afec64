using System.Management.Automation;
using OptOut.Core;
using OptOut.Core.Registry;

namespace OptOut.Infrastructure;

internal static class RegistryPaths
{
    public const string RegistryOpenFailed = "OptOut.RegistryOpenFailed";

    /// <summary>The file at the registry path is not an OptOut registry; it was left as it was.</summary>
    public const string NotARegistry = "OptOut.NotARegistry";

    /// <summary>The person running the command, recorded in the audit log.</summary>
    public static string CurrentUser => Environment.UserName;

    public const string RegistryNotFound = "OptOut.RegistryNotFound";

    /// <summary>
    /// For commands that only read: the registry is opened read-only (never created, migrated or
    /// written). The default one, when it does not exist, simply has no records yet (null); a
    /// -RegistryPath that names nothing is an error.
    /// </summary>
    public static RegistryStore? OpenForReading(PSCmdlet cmdlet, string? registryPath)
    {
        var path = Resolve(cmdlet, registryPath);
        if (!ExistsOrStop(cmdlet, path, registryPath)) return null;
        var store = Run(cmdlet, path, () => RegistryStore.OpenReadOnly(path));
        if (store.UpgradeNote is { } note) cmdlet.WriteVerbose(note);
        return store;
    }

    /// <summary>
    /// For commands that change records already there (Remove-OptOut): an existing registry opened
    /// for writing (migrated if older), never a new one; null for a default registry not yet made.
    /// </summary>
    public static RegistryStore? OpenExisting(PSCmdlet cmdlet, string? registryPath)
    {
        var path = Resolve(cmdlet, registryPath);
        return ExistsOrStop(cmdlet, path, registryPath) ? Open(cmdlet, path) : null;
    }

    public static string Resolve(PSCmdlet cmdlet, string? registryPath) =>
        registryPath is null ? OptOutPaths.DefaultRegistryPath : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(registryPath);

    /// <summary>Opens (creating or migrating) the registry, or stops the command with a clear error.</summary>
    public static RegistryStore Open(PSCmdlet cmdlet, string path) => Run(cmdlet, path, () => RegistryStore.Open(path, CurrentUser));

    private static bool ExistsOrStop(PSCmdlet cmdlet, string path, string? registryPath)
    {
        if (File.Exists(path) || Directory.Exists(path)) return true;
        if (registryPath is null) return false;
        cmdlet.ThrowTerminatingError(ErrorIds.Record(new FileNotFoundException($"There is no registry at '{path}'.", path),
            RegistryNotFound, ErrorCategory.ObjectNotFound, path, "Check -RegistryPath."));
        return false;
    }

    private static RegistryStore Run(PSCmdlet cmdlet, string path, Func<RegistryStore> open)
    {
        try
        {
            return open();
        }
        catch (NotARegistryException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, NotARegistry, ErrorCategory.InvalidData, path,
                "Check -RegistryPath: it must name an OptOut registry, or a file that does not exist yet for a new one."));
            throw;  // not reached
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(new IOException($"The registry '{path}' cannot be opened: {e.Message}", e),
                RegistryOpenFailed, ErrorCategory.OpenError, path, null));
            throw;  // not reached
        }
    }
}
