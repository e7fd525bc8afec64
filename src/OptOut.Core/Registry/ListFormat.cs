namespace OptOut.Core.Registry;

public enum ListFormat
{
    Csv,
    Json,
    Parquet,

    /// <summary>One URL a line: the active URL refusals, for tools that filter by URL.</summary>
    UrlList,
}
