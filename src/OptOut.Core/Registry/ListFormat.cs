namespace OptOut.Core.Registry;

/// <summary>The formats of an exported opt-out list.</summary>
public enum ListFormat
{
    /// <summary>Comma-separated values, one record a line, with a header.</summary>
    Csv,
    /// <summary>A JSON array of records.</summary>
    Json,
    /// <summary>A Parquet file, one row a record.</summary>
    Parquet,

    /// <summary>One URL a line: the active URL refusals, for tools that filter by URL.</summary>
    UrlList,
}
