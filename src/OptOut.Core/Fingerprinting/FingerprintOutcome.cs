namespace OptOut.Core.Fingerprinting;

/// <summary>One file's result: a fingerprint, or the reason this file (and only this one) failed.</summary>
internal sealed record FingerprintOutcome(string Path, PictureFingerprint? Fingerprint, Exception? Error, object? Tag = null)
{
    public bool Succeeded => Fingerprint is not null;
}
