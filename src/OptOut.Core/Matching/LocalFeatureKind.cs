namespace OptOut.Core.Matching;

/// <summary>The keypoint detector and descriptor a <see cref="LocalFeatures"/> set was made with.</summary>
public enum LocalFeatureKind
{
    /// <summary>SIFT: 128 values a keypoint (stored as bytes; OpenCV's values are whole numbers 0..255), compared by L2 distance.</summary>
    Sift = 1,

    /// <summary>ORB: 32-byte binary descriptors, compared by Hamming distance.</summary>
    Orb = 2,

    /// <summary>AKAZE (MLDB): 61-byte binary descriptors, compared by Hamming distance.</summary>
    Akaze = 3,
}
