namespace OptOut.Core.Matching;

/// <summary>How a picture matched one of the <see cref="ReferencePictures"/>.</summary>
internal readonly record struct ReferenceMatch(int Claim, string How)
{
    /// <summary>Matched by the same SHA-256: nothing to verify.</summary>
    public bool SameFile { get; init; }
}
