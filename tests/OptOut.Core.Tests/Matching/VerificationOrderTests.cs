using OptOut.Core.Index;
using OptOut.Core.Matching;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// The order a query's rows are verified in: the candidates verified in full, largest pictures first (their decode
/// costs most, and begun last it would leave one core idle), then the screened rows, which need the query's keypoints,
/// in the order they were ranked.
/// </summary>
public class VerificationOrderTests
{
    [Fact]
    public void Full_candidates_come_first_largest_first_then_the_screened_rows_in_turn()
    {
        var all = new List<CopyMatch>
        {
            Row(1, 200, 200), Row(2, 1000, 800), Row(3, null, null), Row(4, 600, 600),
            Row(5, 2000, 2000), Row(6, 100, 100), Row(7, 3000, 3000),
        };

        var order = CopyMatcher.VerificationOrder(all, fullCount: 4).ToList();

        Assert.Equal([1, 3, 0, 2, 4, 5, 6], order);
    }

    [Fact]
    public void Equal_sizes_keep_their_ranking()
    {
        var all = new List<CopyMatch> { Row(1, 300, 300), Row(2, 300, 300), Row(3, 300, 300) };

        Assert.Equal([0, 1, 2], CopyMatcher.VerificationOrder(all, fullCount: 3).ToList());
    }

    private static CopyMatch Row(long id, int? width, int? height) =>
        new(new IndexedRow(id, "set", null, null, null, width, height, null, null, null, HasEmbedding: true), MatchKind.Similar, 0.9f, null);
}
