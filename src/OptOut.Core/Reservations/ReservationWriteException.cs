namespace OptOut.Core.Reservations;

/// <summary>A file OptOut cannot rewrite safely (damaged, a layout it does not write, too large); the file was not changed.</summary>
public sealed class ReservationWriteException(string message, Exception? inner = null) : IOException(message, inner);
