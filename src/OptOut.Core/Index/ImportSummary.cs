using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>What an import did, over all its shards.</summary>
/// <param name="Dataset">The dataset's name in the index.</param>
/// <param name="Rows">Rows written to the index.</param>
/// <param name="Fingerprinted">Rows whose picture was fingerprinted (hashes and embedding) during the import.</param>
/// <param name="Skipped">Rows left out (no usable picture, URL or key).</param>
/// <param name="Errors">Rows or members that could not be read; each was reported as an <see cref="ImportProblem"/>.</param>
/// <param name="ShardsImported">Shards imported by this run.</param>
/// <param name="ShardsAlreadyImported">Shards found already in the index and left as they were.</param>
/// <param name="ShardsFailed">Shards that failed as a whole; nothing of them was written.</param>
/// <param name="Elapsed">Wall time of the whole import.</param>
public sealed record ImportSummary(
    string Dataset, long Rows, long Fingerprinted, long Skipped, long Errors,
    int ShardsImported, int ShardsAlreadyImported, int ShardsFailed, TimeSpan Elapsed)
{
    /// <summary>Rows written a second, over the whole import (one decimal).</summary>
    public double RowsPerSecond => Math.Round(Rows / Math.Max(Elapsed.TotalSeconds, 1e-3), 1);
}
