namespace OptOut.Core.Matching;

/// <summary>Why a candidate was not verified as a copy of the query.</summary>
public enum NotVerifiedReason
{
    /// <summary>It was verified.</summary>
    None = 0,

    /// <summary>The query or the candidate is below <see cref="VerifierOptions.MinimumSide"/> on its short side: too little to align or compare, so neither yes nor no can be trusted.</summary>
    TooSmall,

    /// <summary>The query or the candidate gave fewer keypoints than a fit needs (a flat or nearly empty picture).</summary>
    TooFewFeatures,

    /// <summary>Fewer one-to-one descriptor matches than a fit needs.</summary>
    TooFewMatches,

    /// <summary>RANSAC found no similarity transform with enough inliers.</summary>
    NoGeometricFit,

    /// <summary>A transform was found but it is implausible: scale out of range, or its inliers sit on a few points (a collapsed fit).</summary>
    DegenerateFit,

    /// <summary>Aligned, the pixels disagree: a look-alike or a sibling drawing rather than a copy.</summary>
    PixelsDisagree,

    /// <summary>A fit with few inliers turns the picture further than <see cref="VerifierOptions.MaxWeakFitRotation"/>: a turned pictogram is another sign, so only a strong fit may turn it that far.</summary>
    TurnedWeakFit,
}
