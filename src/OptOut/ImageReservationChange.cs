namespace OptOut;

/// <summary>Output of Set-ImageReservation -PassThru: one file marked.</summary>
public sealed class ImageReservationChange
{
    /// <summary>The file read.</summary>
    public string Path { get; init; } = "";

    /// <summary>The file written: Path itself, or the marked copy under -Destination.</summary>
    public string Destination { get; init; } = "";

    /// <summary>Jpeg, Png, Webp or Gif.</summary>
    public string Format { get; init; } = "";

    /// <summary>The IPTC plus:DataMining value written (its vocabulary code).</summary>
    public string DataMining { get; init; } = "";

    /// <summary>True when the file already had an XMP packet, updated with its other properties kept.</summary>
    public bool UpdatedExistingXmp { get; init; }

    /// <summary>True when the file carries a C2PA manifest, whose hash binding the change broke.</summary>
    public bool BrokeC2paManifest { get; init; }
}
