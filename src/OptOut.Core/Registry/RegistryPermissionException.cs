namespace OptOut.Core.Registry;

/// <summary>The database refused the registry's role something it needs (PostgreSQL's SQLSTATE 42501); the message names the privilege.</summary>
public sealed class RegistryPermissionException(string message, Exception? inner) : UnauthorizedAccessException(message, inner);
