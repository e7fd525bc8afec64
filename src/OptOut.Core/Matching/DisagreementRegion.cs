namespace OptOut.Core.Matching;

/// <summary>
/// The one compact region of disagreement of two aligned frames: the axis-aligned rectangle, covering at
/// most a given share (<see cref="VerifierOptions.MaxRegionShare"/>) of the compared pixels, whose removal raises the correlation of the rest the
/// most. A watermark, a caption or a logo spoils one such place of a copy and the rest agrees; a sibling
/// drawing (another symbol on a shared frame aside) differs in many scattered places, which one rectangle
/// does not take away. Unlike the trimmed correlation, which drops the worst pixels wherever they lie, this
/// cannot pick a different drawing's disagreements apart pixel by pixel.
/// </summary>
internal sealed class DisagreementRegion
{
    /// <summary>Cells along the longer side of the frame: the rectangle's edges fall on cell edges.</summary>
    public const int CellsAlongLongSide = 24;

    private const int MinCellSide = 4;

    private readonly int cellWidth, cellHeight, columns, rows;
    private readonly double maxShare;
    // Per cell: count, sum a, sum b, sum a², sum b², sum ab; then made inclusive prefix sums (one row and column of zeros first).
    private readonly double[] n, a, b, aa, bb, ab;

    public DisagreementRegion(int frameWidth, int frameHeight, double maxShare)
    {
        this.maxShare = maxShare;
        int side = Math.Max(MinCellSide, (int)Math.Ceiling((double)Math.Max(frameWidth, frameHeight) / CellsAlongLongSide));
        cellWidth = side;
        cellHeight = side;
        columns = (frameWidth + side - 1) / side;
        rows = (frameHeight + side - 1) / side;
        int size = (rows + 1) * (columns + 1);
        n = new double[size]; a = new double[size]; b = new double[size];
        aa = new double[size]; bb = new double[size]; ab = new double[size];
    }

    public void Add(int x, int y, byte va, byte vb)
    {
        int at = (y / cellHeight + 1) * (columns + 1) + x / cellWidth + 1;
        n[at]++; a[at] += va; b[at] += vb; aa[at] += va * va; bb[at] += vb * vb; ab[at] += va * vb;
    }

    /// <summary>
    /// The best correlation of the compared pixels outside one rectangle of at most the given share of
    /// them, and the share that rectangle held; the plain correlation (share 0) when no rectangle
    /// raises it. NaN when the frames could not be correlated at all.
    /// </summary>
    public (double Ncc, double Share) Best()
    {
        foreach (var s in new[] { n, a, b, aa, bb, ab }) Accumulate(s);
        int w = columns + 1;
        int last = rows * w + columns;
        double tn = n[last], ta = a[last], tb = b[last], taa = aa[last], tbb = bb[last], tab = ab[last];
        double best = PixelCorrelation.FromSums(tn, ta, tb, taa, tbb, tab), bestShare = 0;
        if (double.IsNaN(best)) return (double.NaN, double.NaN);
        double limit = maxShare * tn;
        for (int r0 = 0; r0 < rows; r0++)
        for (int r1 = r0 + 1; r1 <= rows; r1++)
        for (int c0 = 0; c0 < columns; c0++)
        for (int c1 = c0 + 1; c1 <= columns; c1++)
        {
            int p11 = r1 * w + c1, p01 = r0 * w + c1, p10 = r1 * w + c0, p00 = r0 * w + c0;
            double rn = n[p11] - n[p01] - n[p10] + n[p00];
            // Wider rectangles of these rows only hold more pixels.
            if (rn > limit) break;
            if (rn == 0) continue;
            double rest = PixelCorrelation.FromSums(tn - rn,
                ta - (a[p11] - a[p01] - a[p10] + a[p00]),
                tb - (b[p11] - b[p01] - b[p10] + b[p00]),
                taa - (aa[p11] - aa[p01] - aa[p10] + aa[p00]),
                tbb - (bb[p11] - bb[p01] - bb[p10] + bb[p00]),
                tab - (ab[p11] - ab[p01] - ab[p10] + ab[p00]));
            if (rest > best)
            {
                best = rest;
                bestShare = rn / tn;
            }
        }
        return (best, bestShare);
    }

    private void Accumulate(double[] s)
    {
        int w = columns + 1;
        for (int r = 1; r <= rows; r++)
        for (int c = 1; c <= columns; c++)
            s[r * w + c] += s[(r - 1) * w + c] + s[r * w + c - 1] - s[(r - 1) * w + c - 1];
    }
}
