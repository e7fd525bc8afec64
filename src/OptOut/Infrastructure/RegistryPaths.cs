using System.Management.Automation;
using OptOut.Core;
using OptOut.Core.Registry;

namespace OptOut.Infrastructure;

internal static class RegistryPaths
{
    public const string RegistryOpenFailed = "OptOut.RegistryOpenFailed";

    /// <summary>The person running the command, recorded in the audit log.</summary>
    public static string CurrentUser => Environment.UserName;

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
