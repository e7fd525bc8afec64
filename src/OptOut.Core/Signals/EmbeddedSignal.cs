namespace OptOut.Core.Signals;

/// <summary>
/// One reservation (or permission) found inside an image file.
/// </summary>
/// <param name="Source">Which signal it is: <c>"XMP plus:DataMining"</c>, <c>"C2PA c2pa.training-mining"</c>
/// or <c>"C2PA cawg.training-mining"</c>.</param>
/// <param name="Value">The value as written, shortened: the IPTC code (<c>"DMI-PROHIBITED-AIMLTRAINING"</c>)
/// or a C2PA entry and its use (<c>"c2pa.ai_training=notAllowed"</c>).</param>
/// <param name="ProhibitsTraining">True when the value reserves the picture against AI/ML training.
/// Permissions, "unspecified" and values this reader does not know are reported with false.</param>
/// <param name="Detail">Where in the file it was found, and anything that qualifies it (constraint text,
/// an unknown value, that a C2PA signature was not verified).</param>
public sealed record EmbeddedSignal(string Source, string Value, bool ProhibitsTraining, string Detail);
