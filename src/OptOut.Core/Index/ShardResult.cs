using OptOut.Core.Urls;
namespace OptOut.Core.Index;

/// <summary>What one shard's import did.</summary>
public sealed record ShardResult(string Source, bool AlreadyImported, long Rows, long Fingerprinted, long Skipped, long Errors);
