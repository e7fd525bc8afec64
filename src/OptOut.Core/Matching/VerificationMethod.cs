namespace OptOut.Core.Matching;

/// <summary>How a candidate was aligned with the query before its pixels were compared.</summary>
public enum VerificationMethod
{
    /// <summary>Nothing aligned it (not verified).</summary>
    None = 0,

    /// <summary>Local features matched one to one and a similarity transform fitted to them with RANSAC.</summary>
    Geometric = 1,

    /// <summary>The candidate stretched onto the query's frame (aspect ratios within a few per cent): resized, re-encoded, recoloured copies of pictures too plain for keypoints.</summary>
    Stretch = 2,
}
