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
        var folder = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.optout-{Guid.NewGuid():N}.tmp");
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

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Replace(path, temporary => File.WriteAllText(temporary, text, new System.Text.UTF8Encoding(false)));
}
