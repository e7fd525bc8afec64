using OptOut.Core.Reports;

namespace OptOut.Core.Tests.Reports;

/// <summary>Reading the decisions a report exports; anything else is refused whole, with where it is wrong.</summary>
public class MatchReviewReaderTests
{
    private const string Json = """
        { "format": "optout-match-review", "version": 1, "title": "t", "claimant": "Jane", "exported": "2026-01-01T00:00:00Z",
          "decisions": [
            { "id": 3, "decision": "mine", "query": "/art/a.png", "querySha256": "ab", "dataset": "d", "key": "k", "url": "https://x.example/a.jpg",
              "caption": "c", "width": 320, "height": 240, "matchKind": "Copy", "similarity": 0.9885, "hashDistance": 0, "sha256": null },
            { "id": 4, "decision": "not-mine", "query": "/art/a.png", "querySha256": "ab", "dataset": "d", "key": null, "url": null,
              "caption": null, "width": null, "height": null, "matchKind": "Similar", "similarity": null, "hashDistance": null, "sha256": null } ] }
        """;

    [Fact]
    public void Json_decisions_are_read_with_every_field()
    {
        var read = MatchReviewReader.ReadJson(Json, "d.json");
        Assert.Equal(2, read.Count);
        Assert.Equal((3L, true), (read[0].Id, read[0].IsMine));
        Assert.Equal(new ReportMatch
        {
            Query = "/art/a.png", QuerySha256 = "ab", Dataset = "d", Key = "k", Url = "https://x.example/a.jpg", Caption = "c",
            Width = 320, Height = 240, MatchKind = "Copy", Similarity = 0.9885, HashDistance = 0,
        }, read[0].Match);
        Assert.False(read[1].IsMine);
        Assert.Null(read[1].Match.Url);
        Assert.Equal("Similar", read[1].Match.MatchKind);
    }

    [Fact]
    public void Csv_decisions_are_read_with_quotes_and_formula_guards_undone()
    {
        const string csv = "id,decision,query,querySha256,dataset,key,url,caption,width,height,matchKind,similarity,hashDistance,sha256\r\n" +
            "3,mine,/art/a.png,ab,d,'=k,https://x.example/a.jpg,\"say \"\"hi\"\", twice\r\nnow\",320,240,Copy,0.9885,0,\r\n";
        var read = Assert.Single(MatchReviewReader.ReadCsv(csv, "d.csv"));
        Assert.Equal("=k", read.Match.Key);
        Assert.Equal("say \"hi\", twice\r\nnow", read.Match.Caption);
        Assert.Equal((320, 240, 0.9885), (read.Match.Width, read.Match.Height, read.Match.Similarity));
        Assert.Null(read.Match.Sha256);
    }

    [Theory]
    [InlineData("{ \"format\": \"something-else\", \"decisions\": [] }", "not a match review")]
    [InlineData("{ \"format\": \"optout-match-review\", \"version\": 2, \"decisions\": [] }", "version 2")]
    [InlineData("{ \"format\": \"optout-match-review\", \"decisions\": [ { \"id\": 1, \"decision\": \"maybe\", \"query\": \"q\", \"dataset\": \"d\", \"matchKind\": \"Copy\" } ] }", "decision 1: the decision 'maybe'")]
    [InlineData("{ \"format\": \"optout-match-review\", \"decisions\": [ { \"id\": 1, \"decision\": \"mine\", \"dataset\": \"d\", \"matchKind\": \"Copy\" } ] }", "has no query")]
    [InlineData("{ \"format\": \"optout-match-review\", \"decisions\": [ { \"id\": \"x\", \"decision\": \"mine\", \"query\": \"q\", \"dataset\": \"d\", \"matchKind\": \"Copy\" } ] }", "id 'x' is not a number")]
    [InlineData("{ \"format\": ", "not valid JSON")]
    [InlineData("Key,Url\r\nk,https://x\r\n", "no id, decision, query, dataset, matchKind columns")]
    [InlineData("id,decision,query,dataset,matchKind\r\n1,mine,q,d,\"Copy\r\n", "ends inside a quoted CSV cell")]
    [InlineData("id,decision,query,dataset,matchKind\r\n1,yes,q,d,Copy\r\n", "line 2: the decision 'yes'")]
    public void Anything_but_a_review_is_refused_with_where_it_is_wrong(string text, string message)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "decisions.txt");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => MatchReviewReader.Read(path));
        Assert.Contains(message, e.Message);
    }
}
