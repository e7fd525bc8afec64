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

    /// <summary>The candidate found inside the query, or the query inside the candidate, by correlating their pixels over scales and small rotations: crops, pads and rotations of pictures too plain for keypoints.</summary>
    PixelSearch = 3,
}
