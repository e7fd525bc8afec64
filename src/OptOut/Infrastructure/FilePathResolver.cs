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

    /// <summary>
    /// Resolves arguments to files, in order. An argument that cannot be used comes back with its
    /// error instead of a file, so the caller reports it in its place among the results.
    /// </summary>
    public IEnumerable<(string Path, Exception? Error)> Resolve(IEnumerable<string> arguments, bool literal)
    {
        foreach (var argument in arguments)
        {
            foreach (var (path, error) in ResolveOne(argument, literal))
            {
                if (error is not null)
                {
                    yield return (path, error);
                }
                else if (Directory.Exists(path))
                {
                    if (!recurse)
                    {
                        yield return (path, new PathIsDirectoryException(path));
                        continue;
                    }
                    foreach (var file in EnumerateImages(path))
                    {
                        yield return (file, null);
                    }
                }
                else
                {
                    yield return (path, null);
                }
            }
        }
    }

    private IEnumerable<(string Path, Exception? Error)> ResolveOne(string argument, bool literal)
    {
        ProviderInfo provider;
        IEnumerable<string> paths;
        try
        {
            // A -Path that names an existing file exactly is that file, even when its name has
            // wildcard characters: 'odd[1].png' must not silently become odd1.png (this module's
            // own output, piped back in, binds its Path property here).
            if (literal || !WildcardPattern.ContainsWildcardCharacters(argument) || ExistsLiterally(argument))
            {
                var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument, out provider, out _);
                paths = [path];
                if (provider.Name == "FileSystem" && !File.Exists(path) && !Directory.Exists(path))
                {
                    return [(path, new FileNotFoundException($"Cannot find path '{path}' because it does not exist.", path))];
                }
            }
            else
            {
                paths = cmdlet.GetResolvedProviderPathFromPSPath(argument, out provider);
                // A pattern matching nothing is an error: silence would read as "my work is in no
                // training set" when the folder was mistyped.
                if (provider.Name == "FileSystem" && !paths.Any())
                {
                    return [(argument, new FileNotFoundException($"No file matches '{argument}'.", argument))];
                }
            }
        }
        catch (ItemNotFoundException e)
        {
            // PowerShell's own message names the part that is missing ("Cannot find path '/home/me/art'...").
            return [(argument, new FileNotFoundException(e.Message, argument, e))];
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException)
        {
            return [(argument, new FileNotFoundException(e.Message, argument, e))];
        }

        if (provider.Name != "FileSystem")
        {
            return [(argument, new NotFileSystemPathException(argument, provider.Name))];
        }
        return paths.Select(p => (p, (Exception?)null));
    }

    private bool ExistsLiterally(string argument)
    {
        try
        {
            var path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument, out var provider, out _);
            return provider.Name == "FileSystem" && File.Exists(path);
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or PSArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    private static IEnumerable<string> EnumerateImages(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        // Sorted so a run's output order does not depend on the file system.
        return Directory.EnumerateFiles(folder, "*", options).Where(IsImageFileName).Order(StringComparer.Ordinal);
    }
}
