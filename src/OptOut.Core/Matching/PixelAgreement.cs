namespace OptOut.Core.Matching;

/// <summary>How well two aligned gray frames agree over the compared pixels.</summary>
/// <param name="Ncc">Normalised cross-correlation over every compared pixel; NaN when there is nothing to correlate.</param>
/// <param name="TrimmedNcc">The same over the pixels that agree best, leaving out the worst <see cref="PixelCorrelation.TrimmedShare"/>: an overlay (a watermark band, a caption) spoils a part of a copy, while a different drawing disagrees everywhere.</param>
/// <param name="Pixels">How many pixels were compared.</param>
/// <param name="RegionNcc">The same over the compared pixels outside the one rectangle of disagreement (<see cref="DisagreementRegion"/>): a watermark or logo spoils one place of a copy, a sibling drawing many.</param>
/// <param name="RegionShare">Share of the compared pixels that rectangle held (0: none left out).</param>
/// <param name="WideRegionNcc">The same outside one rectangle of a wider cap (<see cref="VerifierOptions.MaxStrongFitRegionShare"/>), which only a strong or medium keypoint fit may leave out.</param>
/// <param name="WideRegionShare">Share of the compared pixels that wider rectangle held.</param>
internal readonly record struct PixelAgreement(double Ncc, double TrimmedNcc, long Pixels, double RegionNcc, double RegionShare, double WideRegionNcc, double WideRegionShare);
