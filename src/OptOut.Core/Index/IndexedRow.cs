using OptOut.Core.Urls;
namespace OptOut.Core.Index;

/// <summary>A row read back from the index.</summary>
public sealed record IndexedRow(
    long Id,
    string Dataset,
    string? Key,
    string? Url,
    string? Caption,
    int? Width,
    int? Height,
    byte[]? Sha256,
    byte[]? Md5,
    ulong? PerceptualHash,
    bool HasEmbedding,
    Datasets.ImageLocation? Image = null);
