namespace OptOut.Core.Index;

public enum MatchKind
{
    Exact,
    Copy,
    Similar,
    Caption,
    Url,
    Domain,
}
