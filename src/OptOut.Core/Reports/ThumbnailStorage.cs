namespace OptOut.Core.Reports;

/// <summary>Where the report's thumbnails go.</summary>
public enum ThumbnailStorage
{
    /// <summary>Embedded in the HTML as data URIs: one file to send, fine for small reports.</summary>
    Embedded,

    /// <summary>JPEG files in a folder beside the HTML, loaded lazily: large reports open fast.</summary>
    Folder,
}
