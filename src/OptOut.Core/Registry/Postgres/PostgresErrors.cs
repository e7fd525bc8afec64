using Npgsql;

namespace OptOut.Core.Registry.Postgres;

/// <summary>
/// Npgsql's exceptions as the registry's: a missing privilege (42501) as
/// <see cref="RegistryPermissionException"/> naming what was refused, a connection that failed or
/// broke as <see cref="RegistryConnectionException"/>, a failed login too, other server errors as <see cref="IOException"/>.
/// Messages name the location without its password (the server's own messages never hold it).
/// </summary>
internal static class PostgresErrors
{
    public static void Translate(RegistryLocation location, string what, Action work) => Translate(location, what, () => { work(); return 0; });

    public static T Translate<T>(RegistryLocation location, string what, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            var role = location.Connection?.Username ?? Environment.UserName;
            throw new RegistryPermissionException($"The PostgreSQL role '{role}' may not {what}: {e.MessageText}. Nothing was written. See docs/registry.md (Roles) for the grants.", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new RegistryConnectionException($"The registry '{location.Display}' refused the login: {e.MessageText}. Give the password with -Credential, PGPASSWORD or ~/.pgpass.", e);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("57P", StringComparison.Ordinal))
        {
            throw new RegistryConnectionException($"The connection to the registry '{location.Display}' failed ({e.SqlState}: {e.MessageText}).", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.RaiseException)
        {
            throw new InvalidOperationException($"The registry '{location.Display}' refused the change: {e.MessageText}.", e);
        }
        catch (PostgresException e)
        {
            throw new IOException($"The registry '{location.Display}' answered an error ({e.SqlState}: {e.MessageText}).", e);
        }
        catch (NpgsqlException e)
        {
            // No server answer: refused, unreachable, or the connection broke mid-command.
            throw new RegistryConnectionException($"The registry '{location.Display}' cannot be reached: {e.Message}", e);
        }
        catch (InvalidOperationException e) when (e.Source == "Npgsql")
        {
            // A command on a connection Npgsql already marked broken.
            throw new RegistryConnectionException($"The connection to the registry '{location.Display}' is broken: {e.Message}", e);
        }
    }
}
