using OptOut.Core.Datasets;
using OptOut.Core.Gate;
using OptOut.Core.Registry;
using OptOut.Core.Tests.Index;
using Xunit;
using static OptOut.Core.Tests.Gate.GateFixtures;
using static OptOut.Core.Tests.Index.IndexFixtures;

namespace OptOut.Core.Tests.Gate;

/// <summary>The Url, Domain, Content (by the dataset's hashes and embeddings) and NoConsent rules on metadata files.</summary>
public class GateRulesTests
{
    private static string LaionFile(int count = 50, bool withMd5 = false, int rowGroupSize = 100_000)
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "part-00000.parquet");
        WriteLaionUpperCase(path, 1000, count, widthAsDouble: false, withMd5: withMd5, rowGroupSize: rowGroupSize);
        return path;
    }

    [Fact]
    public void A_refused_url_is_found_in_any_spelling_and_a_revoked_one_is_not()
    {
        var path = LaionFile();
        // LaionUrl(1003) = https://img3.example.com/photos/1003.jpg; the claim spells it differently.
        var rules = Rules([RefuseUrl("HTTPS://IMG3.example.com:443/photos/1003.jpg"), RefuseUrl(LaionUrl(1010))], revoke: [1]);

        var outcome = Check(path, rules);

        var violation = Assert.Single(outcome.Violations);
        Assert.Equal(GateRule.Url, violation.Rule);
        Assert.Equal("1003", violation.Key);
        Assert.Equal(3, violation.Row);
        Assert.Equal(LaionUrl(1003), violation.Url);
        Assert.Equal("alice", violation.Claimant);
        Assert.NotNull(violation.RecordId);
        Assert.Equal(path, violation.Shard);
    }

    [Fact]
    public void A_refused_domain_covers_its_subdomains_but_not_lookalike_hosts()
    {
        var path = Path.Combine(TestEnvironment.NewScratchFolder(), "hosts.parquet");
        string[] urls =
        [
            "https://example.com/a.jpg", "https://cdn.images.example.com/b.jpg", "https://notexample.com/c.jpg",
            "https://example.com.evil.org/d.jpg", "http://EXAMPLE.com./e.jpg", "https://other.org/f.jpg",
        ];
        WriteParquet(path, [Longs("SAMPLE_ID", Enumerable.Range(0, urls.Length).Select(i => (long)i)), Strings("URL", urls)]);
        var rules = Rules(RefuseDomain("Example.COM"));

        var outcome = Check(path, rules);

        Assert.Equal(["0", "1", "4"], outcome.Violations.Select(v => v.Key).Order());
        Assert.All(outcome.Violations, v => Assert.Equal(GateRule.Domain, v.Rule));
        Assert.Contains("example.com", outcome.Violations[0].Detail);
    }

    [Fact]
    public void Domain_lookups_find_the_nearest_refused_parent_of_deep_hosts_and_nothing_else()
    {
        var deep = string.Join('.', Enumerable.Range(0, 40).Select(i => $"l{i}")) + ".shop.example.co.uk";
        var rules = Rules([RefuseDomain("example.co.uk"), RefuseDomain("l39.shop.example.co.uk", claimant: "carol"), RefuseDomain("co.uk.evil.org")]);

        Assert.Equal("carol", rules.Claim(rules.FindDomain(Decision.Refuse, deep)).Claimant);
        Assert.Equal("example.co.uk", rules.Claim(rules.FindDomain(Decision.Refuse, "a.shop.example.co.uk")).Target);
        Assert.Equal("example.co.uk", rules.Claim(rules.FindDomain(Decision.Refuse, "example.co.uk")).Target);
        Assert.Equal(-1, rules.FindDomain(Decision.Refuse, "co.uk"));
        Assert.Equal(-1, rules.FindDomain(Decision.Refuse, "anexample.co.uk"));
        Assert.Equal("co.uk.evil.org", rules.Claim(rules.FindDomain(Decision.Refuse, "example.co.uk.evil.org")).Target);
        Assert.Equal(-1, rules.FindDomain(Decision.Refuse, "uk.evil.org"));
        Assert.Equal(-1, rules.FindDomain(Decision.Grant, "a.shop.example.co.uk"));
    }

    [Fact]
    public void A_row_broken_by_two_claims_is_reported_once_a_rule_and_counted_once()
    {
        var path = LaionFile();
        var rules = Rules(RefuseUrl(LaionUrl(1002)), RefuseDomain("img2.example.com"));

        var outcome = Check(path, rules);

        // img2 holds ids 1002, 1007, ..., 1047: ten rows; 1002 is also refused by URL.
        Assert.Equal(11, outcome.Violations.Count);
        Assert.Equal(2, outcome.Violations.Count(v => v.Key == "1002"));
        Assert.Equal(10, outcome.Counters.ViolatingRows);
        Assert.Equal(10, outcome.Shards.Single().ViolatingRows);
        Assert.Equal(50, outcome.Counters.Rows);
    }

    [Fact]
    public void The_datasets_md5_column_matches_a_content_claim_on_the_claimants_file()
    {
        var path = LaionFile(withMd5: true);
        var md5 = Md5Hex(1020);
        var rules = Rules(RefuseContent(new ContentFingerprint(new string('a', 64), null, null, null), md5: md5));

        var outcome = Check(path, rules);

        var violation = Assert.Single(outcome.Violations);
        Assert.Equal((GateRule.Content, "1020"), (violation.Rule, violation.Key));
        Assert.Equal("dana", violation.Claimant);
    }

    [Fact]
    public void The_datasets_sha256_column_matches_a_content_claim()
    {
        var root = TestEnvironment.NewScratchFolder();
        var samples = MakeSamples(0, 6, failed: i => i == 4);
        WriteImg2DatasetFilesShard(root, 0, samples);
        // Only the parquet (with its sha256 column) is checked: a plain metadata file.
        var parquet = Path.Combine(root, "00000.parquet");
        var rules = Rules(RefuseContent(new ContentFingerprint(Sha256Hex(samples[2].Image!), null, null, null)));

        var outcome = Check([new ParquetMetadataShard(parquet)], rules);

        Assert.Equal([(GateRule.Content, samples[2].Key)], outcome.Findings);
        Assert.Equal(1, outcome.Shards.Single().RowsSkipped);   // the failed download is not a training sample
    }

    [Fact]
    public void Precomputed_embeddings_are_compared_with_content_claims_of_the_same_model_only()
    {
        var root = TestEnvironment.NewScratchFolder();
        var vectors = UnitVectors(40, 32, seed: 5);
        WriteClipRetrievalPart(root, 0, vectors, float16: true);
        // A claim near row 7 (a copy), and one exactly on row 9 but made with another model.
        var near = Normalize(vectors[7].Select((v, i) => v + (i % 3 == 0 ? 0.02f : 0f)).ToArray());
        var rules = Rules(
            RefuseContent(new ContentFingerprint(new string('b', 64), null, near, "clip-test")),
            RefuseContent(new ContentFingerprint(new string('c', 64), null, vectors[9], "other-model")));

        var outcome = Check(root, rules, embeddingModelId: "clip-test");
        var without = Check(root, rules, embeddingModelId: null);

        var violation = Assert.Single(outcome.Violations);
        Assert.Equal((GateRule.Content, ClipKey(0, 7)), (violation.Rule, violation.Key));
        Assert.Contains("similarity", violation.Detail);
        Assert.Empty(without.Violations);
    }

    [Fact]
    public void Under_opt_in_rows_need_a_grant_and_a_refusal_still_wins()
    {
        var path = LaionFile(count: 10);
        var rules = Rules(
            Grant(ClaimKind.Domain, "img1.example.com"),          // 1001, 1006
            Grant(ClaimKind.Url, LaionUrl(1002)),
            Grant(ClaimKind.Url, LaionUrl(1006)), RefuseUrl(LaionUrl(1006)));

        var optIn = Check(path, rules, GatePolicy.OptIn);
        var optOut = Check(path, rules, GatePolicy.OptOut);

        var noConsent = optIn.Violations.Where(v => v.Rule == GateRule.NoConsent).Select(v => v.Key).Order().ToList();
        Assert.Equal(["1000", "1003", "1004", "1005", "1007", "1008", "1009"], noConsent);
        Assert.All(optIn.Violations.Where(v => v.Rule == GateRule.NoConsent), v => Assert.Null(v.RecordId));
        Assert.Equal([(GateRule.Url, "1006")], optIn.Violations.Where(v => v.Rule != GateRule.NoConsent).Select(v => (v.Rule, v.Key)));
        Assert.Equal([(GateRule.Url, "1006")], optOut.Findings);
    }

    [Fact]
    public void Rows_are_numbered_across_row_groups_and_shards_run_in_parallel()
    {
        var folder = TestEnvironment.NewScratchFolder();
        for (int part = 0; part < 4; part++)
        {
            WriteLaionUpperCase(Path.Combine(folder, $"part-{part}.parquet"), 1000 + part * 100, 100, widthAsDouble: part % 2 == 0, rowGroupSize: 30);
        }
        var rules = Rules(RefuseUrl(LaionUrl(1095)), RefuseUrl(LaionUrl(1361)));

        var outcome = Check(folder, rules, throttle: 3);

        Assert.Equal(4, outcome.Shards.Count);
        Assert.Equal(400, outcome.Counters.Rows);
        Assert.Equal([("part-0.parquet", 95L), ("part-3.parquet", 61L)],
            outcome.Violations.Select(v => (Path.GetFileName(v.Shard), v.Row)).Order());
    }

    [Fact]
    public void A_shard_that_cannot_be_read_fails_alone_and_names_the_file()
    {
        var folder = TestEnvironment.NewScratchFolder();
        WriteLaionUpperCase(Path.Combine(folder, "a.parquet"), 1000, 20, widthAsDouble: false);
        var bad = Path.Combine(folder, "b.parquet");
        WriteLaionUpperCase(bad, 2000, 20, widthAsDouble: false);
        var bytes = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        var rules = Rules(RefuseUrl(LaionUrl(1004)));

        var outcome = Check(folder, rules);

        var failed = Assert.Single(outcome.Shards, s => s.Failure is not null);
        Assert.Equal(bad, failed.Shard);
        Assert.False(failed.Clean);
        Assert.IsType<OptOut.Core.Datasets.DatasetFormatException>(failed.Failure);
        Assert.Contains("b.parquet", failed.Failure!.Message);
        Assert.Equal([(GateRule.Url, "1004")], outcome.Findings);
    }

    [Fact]
    public void Counting_only_reports_no_finding_but_counts_every_one()
    {
        var path = LaionFile();
        var gate = new TrainingSetGate(new GateSettings
        {
            Dataset = "d", Rules = Rules(RefuseDomain("img2.example.com"), RefuseUrl(LaionUrl(1002))), ReportViolations = false,
        });

        var events = gate.Run(DatasetDiscovery.Discover(path), 1, null, TimeSpan.FromMilliseconds(50), CancellationToken.None).ToList();

        Assert.Empty(events.OfType<ViolationsFound>());
        var shard = Assert.Single(events.OfType<ShardChecked>()).Result;
        Assert.Equal((10L, 11L), (shard.ViolatingRows, shard.Violations));
        Assert.False(shard.Clean);
        Assert.Equal(11, gate.Counters.Violations);
    }

    [Fact]
    public void Stopping_early_ends_the_workers()
    {
        var folder = TestEnvironment.NewScratchFolder();
        for (int part = 0; part < 3; part++) WriteLaionUpperCase(Path.Combine(folder, $"p{part}.parquet"), part * 10_000, 5000, widthAsDouble: false);
        var gate = new TrainingSetGate(new GateSettings { Dataset = "d", Rules = ConsentRules.Empty, Policy = GatePolicy.OptIn });

        // Every row is a NoConsent finding: the bounded queue fills; taking one and leaving must not hang.
        var first = gate.Run(DatasetDiscovery.Discover(folder), 2, null, TimeSpan.FromMilliseconds(50), CancellationToken.None)
            .OfType<ViolationsFound>().First();

        Assert.Equal(GateRule.NoConsent, first.Violations[0].Rule);
        Assert.True(gate.Counters.Rows < 15_000);
    }
}
