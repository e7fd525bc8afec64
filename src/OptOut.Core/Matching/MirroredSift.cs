namespace OptOut.Core.Matching;

/// <summary>
/// A picture's SIFT features as its mirror image's, made from its own instead of a second extraction
/// (which costs as much as the first and is on every query's path). Mirroring a picture left-right
/// mirrors each keypoint's neighbourhood about its orientation axis: in the descriptor's 4x4 grid of
/// 8-bin orientation histograms, laid out in the keypoint's own frame, the grid's rows swap (row r becomes
/// 3 - r) and each orientation o relative to the keypoint's becomes -o (bin (8 - o) mod 8); the columns
/// stay. Keypoint positions mirror about the frame's centre line (column x becomes width - 1 - x, as
/// <c>Cv2.Flip</c> moves pixels). Detection on a mirrored frame finds nearly, not exactly, the mirrored
/// keypoints (the scale pyramid's halvings are not symmetric), so either set stands for the mirror image
/// equally well; docs/copy-detection.md has the measurement.
/// </summary>
internal static class MirroredSift
{
    private const int Grid = 4, Orientations = 8, Length = Grid * Grid * Orientations;

    // Where each value of the mirrored descriptor comes from in the picture's own.
    private static readonly int[] SourceOf = BuildSourceOf();

    public static LocalFeatures Of(LocalFeatures features)
    {
        if (features.Kind != LocalFeatureKind.Sift) throw new ArgumentException($"Only SIFT features can be mirrored by permutation, not {features.Kind}.", nameof(features));
        int count = features.Count;
        var x = new float[count];
        var y = new float[count];
        var descriptors = new byte[count * Length];
        for (int i = 0; i < count; i++)
        {
            x[i] = features.Width - 1 - features.X[i];
            y[i] = features.Y[i];
            var source = features.Descriptors.AsSpan(i * Length, Length);
            var target = descriptors.AsSpan(i * Length, Length);
            for (int k = 0; k < Length; k++) target[k] = source[SourceOf[k]];
        }
        return new LocalFeatures(features.Kind, features.Width, features.Height, features.SourceWidth, features.SourceHeight, x, y, descriptors);
    }

    private static int[] BuildSourceOf()
    {
        var map = new int[Length];
        for (int row = 0; row < Grid; row++)
        for (int column = 0; column < Grid; column++)
        for (int o = 0; o < Orientations; o++)
        {
            map[(row * Grid + column) * Orientations + o] = ((Grid - 1 - row) * Grid + column) * Orientations + (Orientations - o) % Orientations;
        }
        return map;
    }
}
