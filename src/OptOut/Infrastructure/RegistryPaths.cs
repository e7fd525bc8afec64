using System.Management.Automation;
using OptOut.Core;
using OptOut.Core.Registry;

namespace OptOut.Infrastructure;

internal static class RegistryPaths
{
    public const string RegistryOpenFailed = "OptOut.RegistryOpenFailed";

    /// <summary>The person running the command, recorded in the audit log.</summary>
    public static string CurrentUser => Environment.UserName;

    public const string RegistryNotFound = "OptOut.RegistryNotFound";

    /// <summary>
    /// For commands that only read: a registry that does not exist is never created. The default
    /// one simply has no records yet (null); a -RegistryPath that names nothing is an error.
    /// </summary>
    public static RegistryStore? OpenForReading(PSCmdlet cmdlet, string? registryPath)
    {
        var path = Resolve(cmdlet, registryPath);
        if (File.Exists(path)) return Open(cmdlet, path);
        if (registryPath is null) return null;
        cmdlet.ThrowTerminatingError(ErrorIds.Record(new FileNotFoundException($"There is no registry at '{path}'.", path),
            RegistryNotFound, ErrorCategory.ObjectNotFound, path, "Check -RegistryPath."));
        return null;
    }

    public static string Resolve(PSCmdlet cmdlet, string? registryPath) =>
        registryPath is null ? OptOutPaths.DefaultRegistryPath : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(registryPath);

    /// <summary>Opens (creating or migrating) the registry, or stops the command with a clear error.</summary>
    public static RegistryStore Open(PSCmdlet cmdlet, string path)
    {
        try
        {
            return RegistryStore.Open(path, CurrentUser);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(new IOException($"The registry '{path}' cannot be opened: {e.Message}", e),
                RegistryOpenFailed, ErrorCategory.OpenError, path, null));
            throw;  // not reached
        }
    }
}
