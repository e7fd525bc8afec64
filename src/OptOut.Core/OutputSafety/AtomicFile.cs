namespace OptOut.Core.OutputSafety;

/// <summary>
/// Replaces a file so that a reader sees the old content or the new, never part of either: the new
/// content goes into a temporary file beside it (same folder, so the rename stays on one file
/// system), is flushed to disk, then renamed over it. A failure removes the temporary file and
/// leaves the old content as it was.
/// </summary>
internal static class AtomicFile
{
    /// <param name="path">The file to write or replace, in a folder that exists.</param>
    /// <param name="write">Writes the new content into the temporary file whose path it is given (and may set its mode or times).</param>
    public static void Replace(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = TemporaryBeside(full);
        try
        {
            write(temporary);
            // Flushed before the rename: after a crash the name holds the whole new content or the old.
            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                written.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Starts replacing <paramref name="path"/> by a content written as a stream (a report streamed
    /// as findings arrive, a list of every record): see <see cref="PendingFile"/>.
    /// </summary>
    /// <param name="path">The file to write or replace, in a folder that exists.</param>
    /// <param name="temporaryPath">The temporary file, beside <paramref name="path"/>: writers name it so that
    /// their own clean-up recognises what a killed run left (by default, a name of this class's own).</param>
    /// <param name="share">What others may do while it is written: none by default, so that a clean-up
    /// in another process sees it held and leaves it.</param>
    public static PendingFile Begin(string path, string? temporaryPath = null, FileShare share = FileShare.None)
    {
        var full = Path.GetFullPath(path);
        var temporary = temporaryPath ?? TemporaryBeside(full);
        if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(temporary)), Path.GetDirectoryName(full), StringComparison.Ordinal))
        {
            throw new ArgumentException("The temporary file must lie beside the file it replaces (a rename across folders may not be atomic).", nameof(temporaryPath));
        }
        return new PendingFile(full, temporary, share);
    }

    // Hidden, beside the target (a rename within one folder stays on one file system), unique to this write.
    private static string TemporaryBeside(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.optout-{Guid.NewGuid():N}.tmp");

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Replace(path, temporary => File.WriteAllText(temporary, text, new System.Text.UTF8Encoding(false)));
}
