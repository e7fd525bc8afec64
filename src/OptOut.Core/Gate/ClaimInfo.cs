using OptOut.Core.Index;
using OptOut.Core.Registry;
using OptOut.Core.Urls;

namespace OptOut.Core.Gate;

/// <summary>Who made a claim, for a finding: its id, claimant, and (domains, content) what it names.</summary>
internal readonly record struct ClaimInfo(string Id, string Claimant, string Target);
