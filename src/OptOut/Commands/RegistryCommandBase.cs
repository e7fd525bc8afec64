using System.Management.Automation;

namespace OptOut.Commands;

/// <summary>
/// What every cmdlet that reads or writes the consent registry takes: where the registry is (a SQLite
/// file, or a PostgreSQL connection string or URI; <see cref="Infrastructure.RegistryAccess"/> resolves
/// the default and opens it) and, for PostgreSQL, the login.
/// </summary>
public abstract class RegistryCommandBase : PSCmdlet
{
    /// <summary>The registry: a SQLite file path, or a PostgreSQL connection string or URI. Default: $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME or ~/.optout.</summary>
    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }
}
