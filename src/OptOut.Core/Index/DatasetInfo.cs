using OptOut.Core.Urls;
namespace OptOut.Core.Index;

/// <summary>A dataset in the index, with its counts.</summary>
public sealed record DatasetInfo(string Name, long Rows, long Shards, long Fingerprinted, long WithEmbedding, long Skipped, string? ModelId, DateTime CreatedAt);
