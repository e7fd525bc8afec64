using OptOut.Core.OutputSafety;

namespace OptOut.Core.Gate;

/// <summary>
/// A destination folder written atomically: everything goes into a staging folder beside it, which
/// replaces the destination in one rename when the work succeeded, and is deleted when it did not.
/// An existing destination is replaced only when the caller allows it, only when it is an earlier
/// clean copy (it holds a <see cref="CleanCopyMarker"/>), never through a symbolic link, and only at
/// the end. What an earlier run left beside it (a staging folder of a killed run) is removed first.
/// </summary>
public sealed class StagedDestination : IDisposable
{
    private FileStream? stagingLock;
    private bool committed;

    private readonly bool replaceExisting;

    private StagedDestination(string destination, string staging, FileStream stagingLock, bool replaceExisting)
    {
        this.replaceExisting = replaceExisting;
        Destination = destination;
        Staging = staging;
        this.stagingLock = stagingLock;
    }

    /// <summary>Full path where the copy is published.</summary>
    public string Destination { get; }
    /// <summary>The folder beside the destination the copy is written into before it is published.</summary>
    public string Staging { get; }

    /// <exception cref="UnsafeOutputPathException">The destination is a symbolic link, a file, or a folder that is not an earlier clean copy.</exception>
    /// <exception cref="IOException">The destination exists and <paramref name="replaceExisting"/> is false, or the staging folder cannot be made.</exception>
    public static StagedDestination Create(string destination, bool replaceExisting)
    {
        var full = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar);
        CheckReplaceable(full, replaceExisting);
        Leftovers.RemoveStagingFolders(full);
        var parent = Path.GetDirectoryName(full)!;
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(staging);
            // Held until the commit: a later run sees the folder is in use and leaves it alone.
            var held = Leftovers.CreateLocked(Path.Combine(staging, Leftovers.StagingLockName));
            return new StagedDestination(full, staging, held, replaceExisting);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw new IOException($"Cannot write the clean copy '{full}': {e.Message.Replace(staging, full)}", e);
        }
    }

    private static void CheckReplaceable(string full, bool replaceExisting)
    {
        var entry = new FileInfo(full);
        if (entry.LinkTarget is not null)
        {
            throw new UnsafeOutputPathException($"The destination '{full}' is a symbolic link (to '{entry.LinkTarget}'); a clean copy is never written through one, since replacing it could replace what it points at. Name a folder that is not a link.", full);
        }
        if (File.Exists(full))
        {
            throw replaceExisting
                ? new UnsafeOutputPathException($"The destination '{full}' is a file; -Force replaces only an earlier clean copy (a folder holding {CleanCopyMarker.FileName}). Name another destination.", full)
                : new IOException($"'{full}' already exists; use -Force to replace it.");
        }
        if (!Directory.Exists(full)) return;
        if (!replaceExisting) throw new IOException($"'{full}' already exists; use -Force to replace it.");
        if (CleanCopyMarker.Read(full) is null)
        {
            throw new UnsafeOutputPathException($"The destination '{full}' exists and is not a clean copy written by Export-CleanTrainingSet (it has no {CleanCopyMarker.FileName}); -Force replaces only an earlier clean copy. Name another destination, or remove the folder yourself.", full);
        }
    }

    /// <summary>Writes the marker into the copy and moves the staging folder into place (replacing an earlier clean copy).</summary>
    public void Commit(CleanCopyMarker marker)
    {
        // The destination may have changed since Create: checked again just before it is replaced.
        CheckReplaceable(Destination, replaceExisting);
        marker.WriteInto(Staging);
        stagingLock?.Dispose();
        stagingLock = null;
        File.Delete(Path.Combine(Staging, Leftovers.StagingLockName));
        string? old = null;
        if (Directory.Exists(Destination))
        {
            old = Path.Combine(Path.GetDirectoryName(Destination)!, $".{Path.GetFileName(Destination)}.old-{Guid.NewGuid():N}");
            Directory.Move(Destination, old);
        }
        Directory.Move(Staging, Destination);
        committed = true;
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    /// <summary>Removes the staging folder unless the copy was committed.</summary>
    public void Dispose()
    {
        stagingLock?.Dispose();
        stagingLock = null;
        if (!committed && Directory.Exists(Staging))
        {
            try { Directory.Delete(Staging, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
