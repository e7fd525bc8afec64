namespace OptOut.Core.Reservations;

/// <summary>What writing a reservation into one file did.</summary>
/// <param name="Source">The file read.</param>
/// <param name="Destination">The file written (the source itself unless a destination folder was given).</param>
/// <param name="Container">The file's format.</param>
/// <param name="UpdatedExistingPacket">True when the file already had an XMP packet, which was updated (its other properties kept).</param>
/// <param name="BrokeC2paManifest">True when the file carries a C2PA manifest, whose hash binding no longer matches the changed bytes.</param>
public sealed record ReservationWriteResult(string Source, string Destination, ImageContainer Container, bool UpdatedExistingPacket, bool BrokeC2paManifest);
