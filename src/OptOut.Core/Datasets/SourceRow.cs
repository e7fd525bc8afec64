namespace OptOut.Core.Datasets;

/// <summary>One sample as a dataset file describes it, before it reaches the index.</summary>
internal sealed class SourceRow
{
    public string? Key { get; set; }
    public string? Url { get; set; }
    public string? Caption { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public byte[]? Sha256 { get; set; }
    public byte[]? Md5 { get; set; }

    /// <summary>img2dataset's download status; rows other than "success" are skipped.</summary>
    public string? Status { get; set; }

    /// <summary>Where the local image is, for error messages (a file path, or "shard.tar:member").</summary>
    public string? ImageName { get; set; }

    /// <summary>Where the local image's bytes lie, when the dataset has them: stored in the index, for verifying copies later.</summary>
    public ImageLocation? Image { get; set; }

    /// <summary>Reads the local image's bytes, when the dataset has them.</summary>
    public Func<byte[]>? ReadImage { get; set; }

    /// <summary>A precomputed embedding (clip-retrieval layout).</summary>
    public Half[]? Embedding { get; set; }

    /// <summary>
    /// The files that hold this sample (full paths), as the reader matched them to the row: a clean
    /// copy leaves out exactly these when the row is removed, whatever the row's key says.
    /// </summary>
    public IReadOnlyList<string>? Files { get; set; }

    /// <summary>The tar members that hold this sample, by position in the archive (0-based, every entry counted).</summary>
    public IReadOnlyList<int>? TarMembers { get; set; }

    public bool IsSuccess => Status is null || string.Equals(Status, "success", StringComparison.OrdinalIgnoreCase);
}
