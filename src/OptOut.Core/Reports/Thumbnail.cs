namespace OptOut.Core.Reports;

/// <summary>A bounded copy of a picture for the page: its src (a data URI or a relative file), its size, and the size of the picture it shows.</summary>
internal sealed record Thumbnail(string Source, int Width, int Height, int OriginalWidth, int OriginalHeight);
