using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>Something that happened during an import, reported to the caller's thread.</summary>
public abstract record ImportEvent;
