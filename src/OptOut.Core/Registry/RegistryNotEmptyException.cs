namespace OptOut.Core.Registry;

/// <summary>The destination already holds records and the copy was not told to add to them.</summary>
public sealed class RegistryNotEmptyException(string message) : InvalidOperationException(message);
