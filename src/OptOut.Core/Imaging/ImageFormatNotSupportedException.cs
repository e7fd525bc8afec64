namespace OptOut.Core.Imaging;

/// <summary>
/// The file is a complete image in a variant the decoder cannot read (an animated WebP): not damage,
/// so the advice to check that the file is complete does not apply.
/// </summary>
public sealed class ImageFormatNotSupportedException : ImageFileException
{
    internal ImageFormatNotSupportedException(string path, string what, string advice)
        : base(path, $"Cannot decode image '{path}': {what} is not supported. {advice}")
    {
        What = what;
        Advice = advice;
    }

    /// <summary>The variant refused ("animated WebP").</summary>
    public string What { get; }

    /// <summary>What the user can do instead.</summary>
    public string Advice { get; }
}
