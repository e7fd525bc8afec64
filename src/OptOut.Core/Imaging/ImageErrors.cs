namespace OptOut.Core.Imaging;

/// <summary>Base for failures that concern one image file only; callers report them and go on.</summary>
public abstract class ImageFileException : Exception
{
    protected ImageFileException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    public string Path { get; }
}

/// <summary>The file is empty, truncated, corrupt or in a format that is not supported.</summary>
public sealed class ImageDecodeException : ImageFileException
{
    public ImageDecodeException(string path, string reason, Exception? inner = null)
        : base(path, $"Cannot decode image '{path}': {reason}", inner) { }
}

/// <summary>The image's header claims more pixels than the limits allow; nothing was decoded.</summary>
public sealed class ImageTooLargeException : ImageFileException
{
    public ImageTooLargeException(string path, long width, long height, ImageLimits limits)
        : base(path, $"Image '{path}' is {width} x {height} px, over the limit of {limits.MaxPixels:N0} pixels or {limits.MaxSide:N0} px a side; it was not decoded.")
    {
        Width = width;
        Height = height;
    }

    public ImageTooLargeException(string path, long fileBytes, ImageLimits limits)
        : base(path, $"Image file '{path}' is {fileBytes:N0} bytes, over the limit of {limits.MaxFileBytes:N0} bytes; it was not read.") { }

    public long Width { get; }
    public long Height { get; }
}
