using System.Management.Automation;
using OptOut.Core.Embedding;
using OptOut.Core.Imaging;

namespace OptOut.Infrastructure;

/// <summary>The stable error ids scripts can match on, and how engine failures map to them.</summary>
internal static class ErrorIds
{
    public const string ImageDecodeFailed = "OptOut.ImageDecodeFailed";
    public const string ImageTooLarge = "OptOut.ImageTooLarge";
    public const string FileNotFound = "OptOut.FileNotFound";
    public const string FileReadFailed = "OptOut.FileReadFailed";
    public const string PathIsDirectory = "OptOut.PathIsDirectory";
    public const string NotFileSystemPath = "OptOut.NotFileSystemPath";
    public const string ModelLoadFailed = "OptOut.ModelLoadFailed";
    public const string ImageFormatNotSupported = "OptOut.ImageFormatNotSupported";

    // Files a command writes (OutputFiles).
    public const string UnsafeOutputPath = "OptOut.UnsafeOutputPath";
    public const string FileExists = "OptOut.FileExists";
    public const string FileReadOnly = "OptOut.FileReadOnly";

    // The training-set index: finding and opening it (IndexAccess), importing into it.
    public const string IndexNotFound = "OptOut.IndexNotFound";
    public const string ModelMismatch = "OptOut.ModelMismatch";
    public const string DatasetReadFailed = "OptOut.DatasetReadFailed";
    public const string SampleFailed = "OptOut.SampleFailed";
    public const string NotAnIndex = "OptOut.NotAnIndex";
    public const string IndexUpgradeRequired = "OptOut.IndexUpgradeRequired";
    public const string IndexTooNew = "OptOut.IndexTooNew";

    public static ErrorRecord ForFile(Exception error, string path) => error switch
    {
        ImageTooLargeException e => Record(e, ImageTooLarge, ErrorCategory.LimitsExceeded, path,
            "Raise -MaxPixels or -MaxSide if the file is trusted."),
        ImageFormatNotSupportedException e => Record(e, ImageFormatNotSupported, ErrorCategory.InvalidData, path, e.Advice),
        ImageDecodeException e => Record(e, ImageDecodeFailed, ErrorCategory.InvalidData, path,
            "Check that the file is a complete JPEG, PNG, WebP, GIF, BMP or TIFF image."),
        FileNotFoundException or DirectoryNotFoundException => Record(error, FileNotFound, ErrorCategory.ObjectNotFound, path, null),
        PathIsDirectoryException => Record(error, PathIsDirectory, ErrorCategory.InvalidArgument, path, "Add -Recurse."),
        NotFileSystemPathException => Record(error, NotFileSystemPath, ErrorCategory.InvalidArgument, path, null),
        EmbeddingModelException e => Record(e, ModelLoadFailed, ErrorCategory.InvalidOperation, path, null),
        _ => Record(error, FileReadFailed, ErrorCategory.ReadError, path, null),
    };

    public static ErrorRecord Record(Exception error, string id, ErrorCategory category, object? target, string? recommendedAction)
    {
        var record = new ErrorRecord(error, id, category, target);
        if (recommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = recommendedAction };
        }
        return record;
    }
}
