namespace OptOut.Core.Matching;

/// <summary>
/// What verifying one picture against a reference found: the verifier's evidence, or why it could not
/// be verified at all (<see cref="NotVerified"/>, starting "not verified: "; then neither yes nor no is trusted).
/// </summary>
internal sealed record PictureVerdict(Verification? Verification, string? NotVerified)
{
    /// <summary>True: a verified copy; false: verified not to be one; null: not verified (<see cref="NotVerified"/> says why).</summary>
    public bool? IsCopy => NotVerified is not null ? null : Verification?.IsVerified;

    /// <summary>Not verified, for <paramref name="why"/>.</summary>
    public static PictureVerdict Unverified(string why) => new(null, "not verified: " + why);
}
