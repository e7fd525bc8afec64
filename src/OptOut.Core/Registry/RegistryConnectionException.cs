namespace OptOut.Core.Registry;

/// <summary>The registry's database server could not be reached or the connection broke; the message never holds a password.</summary>
public sealed class RegistryConnectionException(string message, Exception inner) : IOException(message, inner);
