namespace OptOut.Core.Matching;

/// <summary>How well two aligned gray frames agree over the compared pixels.</summary>
/// <param name="Ncc">Normalised cross-correlation over every compared pixel; NaN when there is nothing to correlate.</param>
/// <param name="TrimmedNcc">The same over the pixels that agree best, leaving out the worst <see cref="PixelCorrelation.TrimmedShare"/>: an overlay (a watermark band, a caption) spoils a part of a copy, while a different drawing disagrees everywhere.</param>
/// <param name="Pixels">How many pixels were compared.</param>
internal readonly record struct PixelAgreement(double Ncc, double TrimmedNcc, long Pixels);
