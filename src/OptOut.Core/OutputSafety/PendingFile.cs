namespace OptOut.Core.OutputSafety;

/// <summary>
/// A file being written in full before it replaces its target (<see cref="AtomicFile.Begin"/>): the
/// content is streamed into a temporary file beside the target, which <see cref="Commit"/> flushes
/// to disk and renames over it. Disposed without a commit (the writer failed or was stopped), the
/// temporary file is removed and the target keeps its old content.
/// </summary>
internal sealed class PendingFile : IDisposable
{
    private readonly FileStream stream;
    private readonly FileShare share;
    private bool committed;

    internal PendingFile(string path, string temporaryPath, FileShare share)
    {
        Path = path;
        TemporaryPath = temporaryPath;
        this.share = share;
        // CreateNew: never writes into a file that is already there (another run's, or a link).
        stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, share, 1 << 16);
    }

    /// <summary>The file that is replaced on <see cref="Commit"/>.</summary>
    public string Path { get; }

    /// <summary>The temporary file beside it (writers name the target, not this, in their errors).</summary>
    public string TemporaryPath { get; }

    /// <summary>Where the content goes; left open by the writers that wrap it.</summary>
    public Stream Stream => stream;

    /// <summary>Flushes the content to disk, then renames it over the target: after a crash the target holds the whole new content or the old.</summary>
    public void Commit()
    {
        stream.Flush(flushToDisk: true);
        // Shared for deletion, the file is renamed while still held, so that no clean-up in another
        // process takes it for a leftover in between; otherwise (Windows refuses to rename it open) closed first.
        if (share.HasFlag(FileShare.Delete))
        {
            File.Move(TemporaryPath, Path, overwrite: true);
            stream.Dispose();
        }
        else
        {
            stream.Dispose();
            File.Move(TemporaryPath, Path, overwrite: true);
        }
        committed = true;
    }

    /// <summary>Closes the temporary file; an uncommitted one is deleted and the target stays as it was.</summary>
    public void Dispose()
    {
        stream.Dispose();
        if (committed) return;
        try { File.Delete(TemporaryPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
