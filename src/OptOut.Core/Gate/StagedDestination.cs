namespace OptOut.Core.Gate;

/// <summary>
/// A destination folder written atomically: everything goes into a staging folder beside it, which
/// replaces the destination in one rename when the work succeeded, and is deleted when it did not.
/// An existing destination is replaced only when the caller allows it, and only at the end.
/// </summary>
public sealed class StagedDestination : IDisposable
{
    private bool committed;

    private StagedDestination(string destination, string staging)
    {
        Destination = destination;
        Staging = staging;
    }

    public string Destination { get; }
    public string Staging { get; }

    public static StagedDestination Create(string destination, bool replaceExisting)
    {
        var full = Path.GetFullPath(destination).TrimEnd(Path.DirectorySeparatorChar);
        if ((Directory.Exists(full) || File.Exists(full)) && !replaceExisting)
        {
            throw new IOException($"'{full}' already exists; use -Force to replace it.");
        }
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return new StagedDestination(full, staging);
    }

    /// <summary>Moves the staging folder into place (replacing an existing destination).</summary>
    public void Commit()
    {
        string? old = null;
        if (Directory.Exists(Destination) || File.Exists(Destination))
        {
            old = Path.Combine(Path.GetDirectoryName(Destination)!, $".{Path.GetFileName(Destination)}.old-{Guid.NewGuid():N}");
            if (Directory.Exists(Destination)) Directory.Move(Destination, old);
            else File.Move(Destination, old);
        }
        Directory.Move(Staging, Destination);
        committed = true;
        if (old is not null)
        {
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
            else File.Delete(old);
        }
    }

    public void Dispose()
    {
        if (!committed && Directory.Exists(Staging))
        {
            try { Directory.Delete(Staging, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
