namespace OptOut;

/// <summary>Output of Import-OptOutList.</summary>
public sealed class OptOutListImportResult
{
    public string Path { get; init; } = "";
    public int Records { get; init; }
    public int Added { get; init; }
    public int Skipped { get; init; }
    /// <summary>Records revoked here by this import: revocations of claims already here, and records added as revoked (also counted in Added).</summary>
    public int Revoked { get; init; }

    /// <summary>Records the list marks revoked that were not applied (without -IncludeRevocations).</summary>
    public int RevokedNotApplied { get; init; }

    public string[] Conflicts { get; init; } = [];
}
