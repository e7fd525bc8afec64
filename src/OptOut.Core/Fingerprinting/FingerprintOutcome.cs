namespace OptOut.Core.Fingerprinting;

/// <summary>One file's result: a fingerprint, or the reason this file (and only this one) failed.</summary>
/// <param name="Path">The file's path, or the name it was submitted under.</param>
/// <param name="Fingerprint">The fingerprint; null when the file failed or had no image.</param>
/// <param name="Error">Why the file failed; null when it did not.</param>
/// <param name="Tag">What the caller submitted with the file; null when nothing.</param>
public sealed record FingerprintOutcome(string Path, PictureFingerprint? Fingerprint, Exception? Error, object? Tag = null)
{
    /// <summary>True when the file was fingerprinted.</summary>
    public bool Succeeded => Fingerprint is not null;
}
