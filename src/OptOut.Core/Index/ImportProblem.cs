using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>A problem with one file, shard or sample; the import goes on.</summary>
public sealed record ImportProblem(string Target, Exception Error) : ImportEvent;
