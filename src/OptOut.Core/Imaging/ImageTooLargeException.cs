namespace OptOut.Core.Imaging;

/// <summary>The image's header claims more pixels than the limits allow; nothing was decoded.</summary>
public sealed class ImageTooLargeException : ImageFileException
{
    internal ImageTooLargeException(string path, long width, long height, ImageLimits limits)
        : base(path, $"Image '{path}' is {width} x {height} px, over the limit of {limits.MaxPixels:N0} pixels or {limits.MaxSide:N0} px a side; it was not decoded.")
    {
        Width = width;
        Height = height;
    }

    internal ImageTooLargeException(string path, long fileBytes, ImageLimits limits)
        : base(path, $"Image file '{path}' is {fileBytes:N0} bytes, over the limit of {limits.MaxFileBytes:N0} bytes; it was not read.") { }

    /// <summary>The width the header claims, in pixels; 0 when the file itself was too large.</summary>
    public long Width { get; }
    /// <summary>The height the header claims, in pixels; 0 when the file itself was too large.</summary>
    public long Height { get; }
}
