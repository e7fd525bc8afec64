namespace OptOut;

/// <summary>Output of Copy-OptOutRegistry: what was copied, and how many records were compared after.</summary>
public sealed class OptOutRegistryCopyResult
{
    /// <summary>The source registry (a connection string without its password).</summary>
    public string Source { get; init; } = "";

    /// <summary>The destination registry (a connection string without its password).</summary>
    public string Destination { get; init; } = "";

    public int Records { get; init; }

    /// <summary>Of the records copied, the revoked ones (each with its revocation).</summary>
    public int Revoked { get; init; }

    public int AuditRows { get; init; }

    /// <summary>With -Append: source records already in the destination, left alone.</summary>
    public int AlreadyPresent { get; init; }

    /// <summary>Records read back from the destination and found equal to the source's, field by field.</summary>
    public int Verified { get; init; }
}
