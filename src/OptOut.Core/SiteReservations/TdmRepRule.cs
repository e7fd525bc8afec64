namespace OptOut.Core.SiteReservations;

/// <summary>One rule of a TDMRep /.well-known/tdmrep.json file: the paths it covers, whether TDM rights are reserved, and the policy offered.</summary>
internal sealed record TdmRepRule(PathPattern Location, bool Reserved, string? Policy);
