using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// How far apart the colours of two aligned Lab frames lie: the 75th percentile of the chroma distance
/// (a*, b*) over the compared pixels that have colour on either side (a white page or black outlines say
/// nothing of colour), after scaling the first picture's chroma by the ratio of their mean chromas (within
/// [2/3, 3/2]): brightening or a contrast change makes every colour more or less saturated alike, a
/// recolouring turns hues. Not the mean distance: an overlay (a watermark band) changes part of a copy; not
/// the median: another flag of the same layout may differ in one band of three (Netherlands and Luxembourg:
/// the reds far apart, the blues close). A gray picture has no colour to compare: then the difference is NaN.
/// </summary>
internal static class ColourAgreement
{
    /// <summary>Chroma (distance of a*, b* from neutral) from which a pixel counts as coloured.</summary>
    public const int GrayChroma = 6;

    /// <summary>Share of the coloured pixels whose chroma distance is at most <see cref="Difference"/>.</summary>
    public const double Percentile = 0.75;

    /// <summary>Share of a picture's compared pixels that must be coloured for its colour to be compared.</summary>
    public const double ColouredShare = 0.05;

    /// <summary>Largest factor by which one picture's colours may be uniformly more saturated than the other's.</summary>
    public const double MaxSaturationRatio = 1.5;

    private const int Bins = 256;

    /// <summary>
    /// The <see cref="Percentile"/> chroma distance over the pixels of <paramref name="mask"/> (everywhere when
    /// null) that are coloured on either side; NaN when either picture has under <see cref="ColouredShare"/>
    /// of its compared pixels coloured (a gray picture, a black-and-white drawing), or nothing to compare.
    /// </summary>
    public static unsafe double Difference(Mat labA, Mat labB, Mat? mask)
    {
        int rows = labA.Rows, cols = labA.Cols;
        byte* baseA = (byte*)labA.DataPointer, baseB = (byte*)labB.DataPointer;
        byte* baseM = mask is null ? null : (byte*)mask.DataPointer;
        long stepA = labA.Step(), stepB = labB.Step(), stepM = mask is null ? 0 : mask.Step();
        const int gray2 = GrayChroma * GrayChroma;

        // First pass: how many pixels are coloured on each side, and their mean chroma.
        long compared = 0, colouredA = 0, colouredB = 0, coloured = 0;
        double chromaA = 0, chromaB = 0;
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if (pm is not null && pm[x] == 0) continue;
                compared++;
                int aa = pa[3 * x + 1] - 128, ab = pa[3 * x + 2] - 128, ba = pb[3 * x + 1] - 128, bb = pb[3 * x + 2] - 128;
                int ca = aa * aa + ab * ab, cb = ba * ba + bb * bb;
                if (ca >= gray2) colouredA++;
                if (cb >= gray2) colouredB++;
                if (ca < gray2 && cb < gray2) continue;
                coloured++;
                chromaA += Math.Sqrt(ca);
                chromaB += Math.Sqrt(cb);
            }
        }
        if (compared < 64 || coloured < 64 || colouredA < ColouredShare * compared || colouredB < ColouredShare * compared) return double.NaN;
        double gain = Math.Clamp(chromaB / chromaA, 1 / MaxSaturationRatio, MaxSaturationRatio);

        // Second pass: the distance of each coloured pixel, the first picture's chroma scaled by the gain.
        var difference = new long[Bins];
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if (pm is not null && pm[x] == 0) continue;
                int aa = pa[3 * x + 1] - 128, ab = pa[3 * x + 2] - 128, ba = pb[3 * x + 1] - 128, bb = pb[3 * x + 2] - 128;
                if (aa * aa + ab * ab < gray2 && ba * ba + bb * bb < gray2) continue;
                double da = gain * aa - ba, db = gain * ab - bb;
                difference[Math.Min(Bins - 1, (int)Math.Sqrt(da * da + db * db))]++;
            }
        }
        long wanted = (long)Math.Ceiling(coloured * Percentile), seen = 0;
        for (int i = 0; i < Bins; i++)
        {
            seen += difference[i];
            if (seen >= wanted) return i;
        }
        return Bins - 1;
    }
}
