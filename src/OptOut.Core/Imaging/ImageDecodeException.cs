namespace OptOut.Core.Imaging;

/// <summary>The file is empty, truncated, corrupt or in a format that is not supported.</summary>
public sealed class ImageDecodeException : ImageFileException
{
    internal ImageDecodeException(string path, string reason, Exception? inner = null)
        : base(path, $"Cannot decode image '{path}': {reason}", inner) { }
}
