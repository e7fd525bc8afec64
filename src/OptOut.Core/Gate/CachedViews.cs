using OptOut.Core.Fingerprinting;

namespace OptOut.Core.Gate;

/// <summary>A refused picture's turned views as <see cref="TurnedViewCache"/> keeps them, with the picture's decoded size (checked against the gate's pixel limit before they are used).</summary>
internal sealed record CachedViews(int Width, int Height, IReadOnlyList<ImageView> Views);
