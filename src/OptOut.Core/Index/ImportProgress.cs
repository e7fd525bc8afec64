using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>Rows written so far (all shards), the shard being read, shards done of those found.</summary>
public sealed record ImportProgress(long Rows, long Skipped, long Errors, string CurrentShard, int ShardsDone, int ShardsTotal) : ImportEvent;
