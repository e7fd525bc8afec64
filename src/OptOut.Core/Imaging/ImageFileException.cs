namespace OptOut.Core.Imaging;

/// <summary>Base for failures that concern one image file only; callers report them and go on.</summary>
public abstract class ImageFileException : Exception
{
    protected ImageFileException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    public string Path { get; }
}
