namespace OptOut.Core.Datasets;

/// <summary>
/// Where a training-set row's own image bytes lie on disk: a whole file (an image folder, an
/// img2dataset "files" folder), or a byte range of a tar member (img2dataset "webdataset").
/// Rows without local pixels (URL-only parquet, precomputed embeddings) have none.
/// </summary>
public sealed record ImageLocation(string Path, string? Member = null, long Offset = 0, long Length = -1)
{
    /// <summary>True when the image is a member of an archive rather than a file of its own.</summary>
    public bool IsArchiveMember => Member is not null;

    /// <summary>Opens the image bytes for reading: the file, or exactly the member's bytes inside the archive.</summary>
    public Stream OpenRead()
    {
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!IsArchiveMember) return file;
        if (Offset < 0 || Length < 0 || Offset + Length > file.Length)
        {
            file.Dispose();
            throw new InvalidDataException($"'{this}' lies outside '{Path}' ({file.Length} bytes): the archive changed since it was imported.");
        }
        file.Position = Offset;
        return new ReadOnlyRangeStream(file, Length);
    }

    /// <summary>The file path, or "archive:member" for an image inside an archive.</summary>
    public override string ToString() => IsArchiveMember ? $"{Path}:{Member}" : Path;
}
