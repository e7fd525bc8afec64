using System.Management.Automation;
using System.Net;
using OptOut.Core;
using OptOut.Core.Registry;

namespace OptOut.Infrastructure;

/// <summary>
/// Where a command's registry is (-RegistryPath, else $env:OPTOUT_REGISTRY, else the default file)
/// and how it is opened: a SQLite file or a PostgreSQL database (<see cref="RegistryLocation"/>).
/// </summary>
internal static class RegistryAccess
{
    public const string RegistryOpenFailed = "OptOut.RegistryOpenFailed";

    /// <summary>The file at the registry path is not an OptOut registry; it was left as it was.</summary>
    public const string NotARegistry = "OptOut.NotARegistry";

    /// <summary>-RegistryPath or OPTOUT_REGISTRY looks like a connection string but does not parse.</summary>
    public const string InvalidRegistryLocation = "OptOut.InvalidRegistryLocation";

    /// <summary>The database refused the role a privilege the command needs.</summary>
    public const string RegistryPermissionDenied = "OptOut.RegistryPermissionDenied";

    /// <summary>The registry's server could not be reached, refused the login, or the connection broke.</summary>
    public const string RegistryConnectionFailed = "OptOut.RegistryConnectionFailed";

    /// <summary>The person running the command, recorded in the audit log.</summary>
    public static string CurrentUser => Environment.UserName;

    public const string RegistryNotFound = "OptOut.RegistryNotFound";

    /// <summary>
    /// For commands that only read: the registry is opened read-only (never created, migrated or
    /// written). The default one, when it does not exist, simply has no records yet (null); a
    /// -RegistryPath that names nothing is an error.
    /// </summary>
    public static IConsentRegistry? OpenForReading(PSCmdlet cmdlet, string? registryPath, PSCredential? credential = null)
    {
        var location = Locate(cmdlet, registryPath, credential);
        if (location.Backend == RegistryBackend.Sqlite && !ExistsOrStop(cmdlet, location.FilePath!, registryPath)) return null;
        var store = Run(cmdlet, location, () => ConsentRegistries.OpenReadOnly(location));
        if (store.UpgradeNote is { } note) cmdlet.WriteVerbose(note);
        return store;
    }

    /// <summary>
    /// For commands that change records already there (Remove-OptOut): an existing registry opened
    /// for writing (migrated if older), never a new one; null for a default registry not yet made.
    /// </summary>
    public static IConsentRegistry? OpenExisting(PSCmdlet cmdlet, string? registryPath, PSCredential? credential = null)
    {
        var location = Locate(cmdlet, registryPath, credential);
        if (location.Backend == RegistryBackend.Sqlite)
        {
            return ExistsOrStop(cmdlet, location.FilePath!, registryPath) ? Open(cmdlet, location) : null;
        }
        if (!Run(cmdlet, location, () => ConsentRegistries.Exists(location)))
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(new FileNotFoundException($"There is no registry in the database '{location.Display}'."),
                RegistryNotFound, ErrorCategory.ObjectNotFound, location.Display, "Check -RegistryPath."));
        }
        return Open(cmdlet, location);
    }

    /// <summary>Where the registry is, fit to show (a connection string without its password).</summary>
    public static string Resolve(PSCmdlet cmdlet, string? registryPath) => Locate(cmdlet, registryPath, null).Display;

    /// <summary>
    /// What -RegistryPath (else OPTOUT_REGISTRY, else the default file) names; a file path is
    /// resolved against the current location. A connection string that does not parse stops the command.
    /// </summary>
    public static RegistryLocation Locate(PSCmdlet cmdlet, string? registryPath, PSCredential? credential)
    {
        var text = registryPath ?? (Environment.GetEnvironmentVariable(ConsentRegistries.RegistryVariable) is { Length: > 0 } configured ? configured : null);
        if (text is null) return RegistryLocation.File(OptOutPaths.DefaultRegistryPath);
        try
        {
            var location = credential is null
                ? RegistryLocation.Parse(text)
                : RegistryLocation.Parse(text, credential.UserName, new NetworkCredential("", credential.Password).Password);
            return location.Backend == RegistryBackend.Sqlite
                ? RegistryLocation.File(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(text))
                : location;
        }
        catch (ArgumentException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, InvalidRegistryLocation, ErrorCategory.InvalidArgument, null,
                "Give a registry file path, or a PostgreSQL connection string: Host=...;Database=...;Username=..., host=... dbname=..., or postgresql://user@host/db."));
            throw;  // not reached
        }
    }

    /// <summary>Opens (creating or migrating) the registry -RegistryPath names, or stops the command with a clear error.</summary>
    public static IConsentRegistry Open(PSCmdlet cmdlet, string? registryPath, PSCredential? credential = null) => Open(cmdlet, Locate(cmdlet, registryPath, credential));

    public static IConsentRegistry Open(PSCmdlet cmdlet, RegistryLocation location) => Run(cmdlet, location, () => ConsentRegistries.Open(location, CurrentUser));

    private static bool ExistsOrStop(PSCmdlet cmdlet, string path, string? registryPath)
    {
        if (File.Exists(path) || Directory.Exists(path)) return true;
        if (registryPath is null && Environment.GetEnvironmentVariable(ConsentRegistries.RegistryVariable) is not { Length: > 0 }) return false;
        cmdlet.ThrowTerminatingError(ErrorIds.Record(new FileNotFoundException($"There is no registry at '{path}'.", path),
            RegistryNotFound, ErrorCategory.ObjectNotFound, path, "Check -RegistryPath."));
        return false;
    }

    /// <summary>Runs an open (or other registry call), turning its failures into the registry's error records.</summary>
    public static T Run<T>(PSCmdlet cmdlet, RegistryLocation location, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (ToErrorRecord(e, location.Display) is { } record)
        {
            cmdlet.ThrowTerminatingError(record);
            throw;  // not reached
        }
    }

    /// <summary>The error record for a registry failure; null for an exception that is not one.</summary>
    public static ErrorRecord? ToErrorRecord(Exception e, string where) => e switch
    {
        NotARegistryException => ErrorIds.Record(e, NotARegistry, ErrorCategory.InvalidData, where,
            "Check -RegistryPath: it must name an OptOut registry, or a file that does not exist yet for a new one."),
        RegistryPermissionException => ErrorIds.Record(e, RegistryPermissionDenied, ErrorCategory.PermissionDenied, where,
            "Ask the registry's owner for the role this command needs (docs/registry.md, Roles): optout_reader to read, optout_writer to add and revoke."),
        RegistryConnectionException => ErrorIds.Record(e, RegistryConnectionFailed, ErrorCategory.ConnectionError, where, "Check that the server is running, the connection string, and the password (-Credential, PGPASSWORD or ~/.pgpass)."),
        FileNotFoundException when where.Contains('=') || where.Contains("://", StringComparison.Ordinal) =>
            ErrorIds.Record(e, RegistryNotFound, ErrorCategory.ObjectNotFound, where, "Check -RegistryPath, or create the registry with a command that writes (Add-OptOut)."),
        Microsoft.Data.Sqlite.SqliteException or InvalidDataException or IOException or UnauthorizedAccessException =>
            ErrorIds.Record(new IOException($"The registry '{where}' cannot be opened: {e.Message}", e), RegistryOpenFailed, ErrorCategory.OpenError, where, null),
        _ => null,
    };
}
