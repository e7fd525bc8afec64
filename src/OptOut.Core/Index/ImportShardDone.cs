using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>A shard finished (or was found already imported).</summary>
public sealed record ImportShardDone(ShardResult Result) : ImportEvent;
