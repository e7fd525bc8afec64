namespace OptOut.Core.Imaging;

/// <summary>Base for failures that concern one image file only; callers report them and go on.</summary>
public abstract class ImageFileException : Exception
{
    private protected ImageFileException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    /// <summary>The image file that could not be read.</summary>
    public string Path { get; }
}
