using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

public sealed record ImportSummary(
    string Dataset, long Rows, long Fingerprinted, long Skipped, long Errors,
    int ShardsImported, int ShardsAlreadyImported, int ShardsFailed, TimeSpan Elapsed)
{
    /// <summary>Rows written a second, over the whole import (one decimal).</summary>
    public double RowsPerSecond => Math.Round(Rows / Math.Max(Elapsed.TotalSeconds, 1e-3), 1);
}
