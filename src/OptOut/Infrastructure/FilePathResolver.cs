using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>
/// Turns -Path (wildcards) and -LiteralPath arguments into file-system paths of image files, the
/// way Get-Content does; folders are expanded only when recursion was asked for.
/// </summary>
internal sealed class FilePathResolver
{
    // Extensions picked up when a folder is expanded; a file named explicitly is always tried.
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".webp", ".gif", ".bmp", ".dib", ".tif", ".tiff", ".tga", ".pbm", ".pgm", ".ppm",
    };

    private readonly PSCmdlet cmdlet;
    private readonly bool recurse;

    public FilePathResolver(PSCmdlet cmdlet, bool recurse)
    {
        this.cmdlet = cmdlet;
        this.recurse = recurse;
    }

    public static bool IsImageFileName(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>Resolves arguments; unresolvable ones are written as non-terminating errors.</summary>
    public IEnumerable<string> Resolve(IEnumerable<string> arguments, bool literal)
    {
        foreach (var argument in arguments)
        {
            foreach (var path in ResolveOne(argument, literal))
            {
                if (Directory.Exists(path))
                {
                    if (!recurse)
                    {
                        cmdlet.WriteError(ErrorIds.Record(
                            new IOException($"'{path}' is a folder; pass -Recurse to take the images in it, or pipe Get-ChildItem -File."),
                            ErrorIds.PathIsDirectory, ErrorCategory.InvalidArgument, path, "Add -Recurse."));
                        continue;
                    }
                    foreach (var file in EnumerateImages(path))
                    {
                        yield return file;
                    }
                }
                else
                {
                    yield return path;
                }
            }
        }
    }

    private IEnumerable<string> ResolveOne(string argument, bool literal)
    {
        ProviderInfo provider;
        IEnumerable<string> paths;
        try
        {
            if (literal || !WildcardPattern.ContainsWildcardCharacters(argument))
            {
                var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument, out provider, out _);
                paths = [path];
                if (provider.Name == "FileSystem" && !File.Exists(path) && !Directory.Exists(path))
                {
                    cmdlet.WriteError(ErrorIds.Record(new FileNotFoundException($"Cannot find path '{path}' because it does not exist.", path),
                        ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path, null));
                    return [];
                }
            }
            else
            {
                // A pattern matching nothing is not an error, as with Get-ChildItem.
                paths = cmdlet.GetResolvedProviderPathFromPSPath(argument, out provider);
            }
        }
        catch (ItemNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException)
        {
            cmdlet.WriteError(ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, argument, null));
            return [];
        }

        if (provider.Name != "FileSystem")
        {
            cmdlet.WriteError(ErrorIds.Record(new ArgumentException($"'{argument}' is not a file-system path (provider {provider.Name})."),
                ErrorIds.NotFileSystemPath, ErrorCategory.InvalidArgument, argument, null));
            return [];
        }
        return paths;
    }

    private static IEnumerable<string> EnumerateImages(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        // Sorted so a run's output order does not depend on the file system.
        return Directory.EnumerateFiles(folder, "*", options).Where(IsImageFileName).Order(StringComparer.Ordinal);
    }
}
