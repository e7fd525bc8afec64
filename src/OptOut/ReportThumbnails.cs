namespace OptOut;

/// <summary>Where Export-MatchReport puts thumbnails: Auto embeds them up to 1,000 pictures, then uses a folder beside the HTML.</summary>
public enum ReportThumbnails
{
    /// <summary>Embedded up to Export-MatchReport's limit, a folder beyond it.</summary>
    Auto,

    /// <summary>Data URIs in the HTML: one file.</summary>
    Embedded,

    /// <summary>JPEG files in a folder named after the report, beside it.</summary>
    Folder,
}
