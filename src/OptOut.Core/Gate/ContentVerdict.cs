namespace OptOut.Core.Gate;

/// <summary>What verifying a row against a content claim's picture found: a verified copy, not a copy, or nothing either way (with why).</summary>
internal readonly record struct ContentVerdict(bool? IsCopy, string Detail);
