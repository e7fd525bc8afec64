using OpenCvSharp;

namespace OptOut.Core.Matching;

/// <summary>
/// How far apart the colours of two aligned Lab frames lie: the 75th percentile of the chroma distance
/// (a*, b*) over the compared pixels that have colour on either side (a white page or black outlines say
/// nothing of colour). Not the mean: an overlay (a watermark band) changes part of a copy; not the median:
/// another flag of the same layout may differ in one band of three (Netherlands and Luxembourg: the reds
/// far apart, the blues close). A gray picture has no colour to compare: then the difference is NaN.
/// </summary>
internal static class ColourAgreement
{
    /// <summary>Chroma (distance of a*, b* from neutral) from which a pixel counts as coloured.</summary>
    public const int GrayChroma = 6;

    /// <summary>Share of the coloured pixels whose chroma distance is at most <see cref="Difference"/>.</summary>
    public const double Percentile = 0.75;

    /// <summary>Share of a picture's compared pixels that must be coloured for its colour to be compared.</summary>
    public const double ColouredShare = 0.05;

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
        var difference = new long[Bins];
        long compared = 0, colouredA = 0, colouredB = 0, coloured = 0;
        for (int y = 0; y < rows; y++)
        {
            byte* pa = baseA + y * stepA, pb = baseB + y * stepB, pm = baseM is null ? null : baseM + y * stepM;
            for (int x = 0; x < cols; x++)
            {
                if (pm is not null && pm[x] == 0) continue;
                compared++;
                int aa = pa[3 * x + 1] - 128, ab = pa[3 * x + 2] - 128, ba = pb[3 * x + 1] - 128, bb = pb[3 * x + 2] - 128;
                bool inA = aa * aa + ab * ab >= GrayChroma * GrayChroma, inB = ba * ba + bb * bb >= GrayChroma * GrayChroma;
                if (inA) colouredA++;
                if (inB) colouredB++;
                if (!inA && !inB) continue;
                coloured++;
                int da = aa - ba, db = ab - bb;
                difference[Math.Min(Bins - 1, (int)Math.Sqrt(da * da + db * db))]++;
            }
        }
        if (compared < 64 || coloured < 64 || colouredA < ColouredShare * compared || colouredB < ColouredShare * compared) return double.NaN;
        long wanted = (long)Math.Ceiling(coloured * Percentile), seen = 0;
        for (int i = 0; i < Bins; i++)
        {
            seen += difference[i];
            if (seen >= wanted) return i;
        }
        return Bins - 1;
    }
}
