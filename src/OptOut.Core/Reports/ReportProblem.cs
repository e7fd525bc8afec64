namespace OptOut.Core.Reports;

/// <summary>A picture the report could not show (moved, damaged, over the limits): the page says so in its place.</summary>
public sealed record ReportProblem(string Target, Exception Error);
