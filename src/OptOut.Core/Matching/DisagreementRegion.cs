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

    private readonly int columns, rows, cellSide;
    private readonly double maxShare, wideShare;
    // Each compared pixel's sums, per cell, exact in integers (row-major).
    private readonly PixelCorrelation.Sums[] cells;

    /// <param name="wideShare">A second, wider cap (at least <paramref name="maxShare"/>) whose best rectangle is found in the same pass (<see cref="Best"/>).</param>
    public DisagreementRegion(int frameWidth, int frameHeight, double maxShare, double wideShare)
    {
        this.maxShare = maxShare;
        this.wideShare = Math.Max(maxShare, wideShare);
        cellSide = Math.Max(MinCellSide, (int)Math.Ceiling((double)Math.Max(frameWidth, frameHeight) / CellsAlongLongSide));
        columns = (frameWidth + cellSide - 1) / cellSide;
        rows = (frameHeight + cellSide - 1) / cellSide;
        cells = new PixelCorrelation.Sums[rows * columns];
    }

    /// <summary>Pixels along a cell's side: cell <c>c</c> of a row holds the pixel columns from <c>c * CellSide</c>.</summary>
    public int CellSide => cellSide;

    /// <summary>The cells of pixel row <paramref name="y"/>, to add that row's compared pixels to, a cell's run of them at a time.</summary>
    public CellRow RowOfCells(int y) => new(cells.AsSpan(y / cellSide * columns, columns));

    /// <summary>One row of cells; <see cref="Add"/> takes the sums of one cell's pixels of a pixel row.</summary>
    public readonly ref struct CellRow(Span<PixelCorrelation.Sums> cells)
    {
        private readonly Span<PixelCorrelation.Sums> cells = cells;

        public int Count => cells.Length;

        public void Add(int cell, in PixelCorrelation.Sums sums) => cells[cell].Add(sums);
    }

    /// <summary>The sums of every compared pixel (of every cell).</summary>
    public PixelCorrelation.Sums Total()
    {
        var total = new PixelCorrelation.Sums();
        foreach (ref readonly var cell in cells.AsSpan()) total.Add(cell);
        return total;
    }

    /// <summary>
    /// The best correlation of the compared pixels outside one rectangle of at most the given share of
    /// them, and the share that rectangle held; the plain correlation (share 0) when no rectangle
    /// raises it; the same for the wider cap. NaN when the frames could not be correlated at all.
    /// </summary>
    public (double Ncc, double Share, double WideNcc, double WideShare) Best()
    {
        // Inclusive prefix sums over the cells, one row and column of zeros first.
        int w = columns + 1, size = (rows + 1) * w;
        double[] n = new double[size], a = new double[size], b = new double[size], aa = new double[size], bb = new double[size], ab = new double[size];
        for (int r = 1; r <= rows; r++)
        for (int c = 1; c <= columns; c++)
        {
            ref readonly var cell = ref cells[(r - 1) * columns + c - 1];
            int at = r * w + c, up = at - w, left = at - 1, corner = up - 1;
            n[at] = cell.N + n[up] + n[left] - n[corner];
            a[at] = cell.A + a[up] + a[left] - a[corner];
            b[at] = cell.B + b[up] + b[left] - b[corner];
            aa[at] = cell.AA + aa[up] + aa[left] - aa[corner];
            bb[at] = cell.BB + bb[up] + bb[left] - bb[corner];
            ab[at] = cell.AB + ab[up] + ab[left] - ab[corner];
        }
        int last = rows * w + columns;
        double tn = n[last], ta = a[last], tb = b[last], taa = aa[last], tbb = bb[last], tab = ab[last];
        double best = PixelCorrelation.FromSums(tn, ta, tb, taa, tbb, tab), bestShare = 0;
        if (double.IsNaN(best)) return (double.NaN, double.NaN, double.NaN, double.NaN);
        double wideBest = best, wideBestShare = 0;
        double limit = maxShare * tn, wideLimit = wideShare * tn;
        for (int r0 = 0; r0 < rows; r0++)
        for (int r1 = r0 + 1; r1 <= rows; r1++)
        for (int c0 = 0; c0 < columns; c0++)
        for (int c1 = c0 + 1; c1 <= columns; c1++)
        {
            int p11 = r1 * w + c1, p01 = r0 * w + c1, p10 = r1 * w + c0, p00 = r0 * w + c0;
            double rn = n[p11] - n[p01] - n[p10] + n[p00];
            // Wider rectangles of these rows only hold more pixels.
            if (rn > wideLimit) break;
            if (rn == 0) continue;
            double rest = PixelCorrelation.FromSums(tn - rn,
                ta - (a[p11] - a[p01] - a[p10] + a[p00]),
                tb - (b[p11] - b[p01] - b[p10] + b[p00]),
                taa - (aa[p11] - aa[p01] - aa[p10] + aa[p00]),
                tbb - (bb[p11] - bb[p01] - bb[p10] + bb[p00]),
                tab - (ab[p11] - ab[p01] - ab[p10] + ab[p00]));
            if (rest > wideBest)
            {
                wideBest = rest;
                wideBestShare = rn / tn;
            }
            if (rn <= limit && rest > best)
            {
                best = rest;
                bestShare = rn / tn;
            }
        }
        return (best, bestShare, wideBest, wideBestShare);
    }
}
