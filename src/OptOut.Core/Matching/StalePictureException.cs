namespace OptOut.Core.Matching;

/// <summary>
/// A picture's pixels, decoded late (<see cref="VerifiablePicture.FromStoredFeatures"/>), are not those its
/// stored features were made from: the file was replaced since the import. The caller verifies it again
/// from its pixels.
/// </summary>
internal sealed class StalePictureException(string message) : Exception(message);
