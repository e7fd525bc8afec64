namespace OptOut.Core.Index;

/// <summary>One row found for a query.</summary>
public sealed record IndexMatch(IndexedRow Row, MatchKind Kind, float? Similarity, int? HashDistance);
