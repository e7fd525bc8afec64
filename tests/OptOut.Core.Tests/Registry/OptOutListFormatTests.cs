using System.Globalization;
using System.Text;
using OptOut.Core.Registry;
using Parquet;
using Parquet.Schema;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// Exported lists in every format: what goes in comes back out (through a fresh registry), parquet
/// read independently, writes atomic, malformed files rejected whole with the place of the problem,
/// merges that skip what is there and report contradictions.
/// </summary>
public sealed class OptOutListFormatTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly string sourcePath;
    private readonly RegistryStore source;

    public OptOutListFormatTests()
    {
        sourcePath = Path.Combine(folder, "source.db");
        source = RegistryStore.Open(sourcePath, User);
    }

    public void Dispose() => source.Dispose();

    /// <summary>Every kind of record, with the awkward text a CSV writer must quote.</summary>
    private List<StoredClaim> FillSource()
    {
        var search = new Evidence { File = "/home/jane/art/sunset, \"final\".png", FileSha256 = Sha256Of("sunset"), MatchedDataset = "laion-2b", MatchedKey = "000042", MatchedUrl = "https://cdn.example.com/a.jpg", MatchKind = "Copy", Similarity = 0.9312345678901234, HashDistance = 3 };
        var outcomes = source.AddClaims(
        [
            UrlClaim("https://cdn.example.com/a.jpg", claimant: "Jane Doe", reason: "found, \"copied\"\r\nwithout consent; ünïcödé ✓", evidence: search),
            UrlClaim("https://cdn.example.com/revoked.jpg", claimant: "Jane Doe", reason: "to be revoked"),
            DomainClaim("portfolio.example.org", claimant: "Studio X", decision: Decision.Grant, reason: "licensed"),
            ContentClaim("sunset", claimant: "Jane Doe", reason: "my painting"),
            ContentClaim("harbour", claimant: "John Roe"),
            UrlClaim("https://other.example/plain.jpg", claimant: "John Roe"),
            UrlClaim("https://granted.example/g.jpg", claimant: "John Roe", decision: Decision.Grant),
        ], User);
        source.Revoke([outcomes[1].Record.Id], "revoker", "not mine; after all");
        return source.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
    }

    private static void AssertSameRecord(StoredClaim expected, StoredClaim actual, bool compareOrigin = true)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Decision, actual.Decision);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Claimant, actual.Claimant);
        Assert.Equal(expected.Reason, actual.Reason);
        Assert.Equal(expected.CreatedAt.Ticks, actual.CreatedAt.Ticks);
        Assert.Equal(DateTimeKind.Utc, actual.CreatedAt.Kind);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.RevokedAt?.Ticks, actual.RevokedAt?.Ticks);
        Assert.Equal(expected.RevokedBy, actual.RevokedBy);
        Assert.Equal(expected.RevokedReason, actual.RevokedReason);
        Assert.Equal(expected.PerceptualHash, actual.PerceptualHash);
        Assert.Equal(expected.ModelId, actual.ModelId);
        Assert.Equal(expected.Evidence, actual.Evidence);
        if (expected.Embedding is null) Assert.Null(actual.Embedding);
        else Assert.Equal(Bytes(expected.Embedding), Bytes(Assert.IsType<float[]>(actual.Embedding)));
        if (compareOrigin) Assert.Equal(expected.Origin, actual.Origin);
    }

    private static byte[] Bytes(float[] v) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    public static TheoryData<ListFormat> RecordFormats() => new(ListFormat.Csv, ListFormat.Json, ListFormat.Parquet);

    [Theory]
    [MemberData(nameof(RecordFormats))]
    public void Every_field_round_trips_through_the_file_and_a_fresh_registry(ListFormat format)
    {
        var records = FillSource();
        var file = Path.Combine(folder, "list." + format.ToString().ToLowerInvariant());
        Assert.Equal(records.Count, OptOutListFormat.Write(records, file, format));

        var read = OptOutListFormat.Read(file, format, "unused");
        Assert.Equal(records.Count, read.Count);
        for (int i = 0; i < records.Count; i++) AssertSameRecord(records[i], read[i]);

        var freshPath = Path.Combine(folder, "fresh.db");
        using var fresh = RegistryStore.Open(freshPath, "importer");
        // Revocations in a list are applied only when asked for, and then as the importer's own.
        var result = fresh.Merge(read, "importer", Path.GetFileName(file), applyRevocations: true, listPath: file);
        // A record that arrives revoked is added and revoked: the summary counts it in both (it said Revoked 0 before).
        Assert.Equal((records.Count, 0, records.Count(r => r.Status == ClaimStatus.Revoked), 0), (result.Added, result.Skipped, result.Revoked, result.RevokedNotApplied));
        Assert.True(result.Revoked > 0);
        Assert.Empty(result.Conflicts);
        var merged = fresh.Read(new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true }).ToList();
        Assert.Equal(records.Count, merged.Count);
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Status == ClaimStatus.Revoked)
            {
                Assert.Equal(ClaimStatus.Revoked, merged[i].Status);
                Assert.Equal("importer", merged[i].RevokedBy);
                Assert.Contains(file, merged[i].RevokedReason);
                Assert.Contains($"by {records[i].RevokedBy}", merged[i].RevokedReason);
                Assert.Contains(records[i].RevokedReason!, merged[i].RevokedReason);
                AssertSameRecord(records[i] with { RevokedAt = merged[i].RevokedAt, RevokedBy = "importer", RevokedReason = merged[i].RevokedReason }, merged[i], compareOrigin: false);
            }
            else
            {
                AssertSameRecord(records[i], merged[i], compareOrigin: false);
            }
            Assert.Equal(Path.GetFileName(file), merged[i].Origin);
        }
        Assert.Equal((records.Count - 1L, 1L), fresh.Counts());
        var imports = fresh.History(action: "Import").ToList();
        Assert.Equal(records.Select(r => r.Id), imports.Select(h => h.RecordId));
        Assert.All(imports, h => Assert.Equal("importer", h.User));

        // The same list again adds nothing.
        var again = fresh.Merge(read, "importer", "again", applyRevocations: true);
        Assert.Equal((0, records.Count, 0), (again.Added, again.Skipped, again.Revoked));
        Assert.Empty(again.Conflicts);
        Assert.Equal(records.Count, fresh.History(action: "Import").Count());
    }

    [Fact]
    public void A_url_list_holds_the_active_url_refusals_and_imports_as_refusals_of_the_claimant()
    {
        var records = FillSource();
        var file = Path.Combine(folder, "blocked.txt");
        Assert.Equal(2L, OptOutListFormat.Write(records, file, ListFormat.UrlList));
        Assert.Equal("https://cdn.example.com/a.jpg\nhttps://other.example/plain.jpg\n", File.ReadAllText(file));

        File.AppendAllText(file, "# a comment\n\n  HTTPS://NEW.Example/X.jpg#f  \n");
        var read = OptOutListFormat.Read(file, ListFormat.UrlList, "List Owner");
        Assert.Equal(["https://cdn.example.com/a.jpg", "https://other.example/plain.jpg", "https://new.example/X.jpg"], read.Select(r => r.Target));
        Assert.All(read, r =>
        {
            Assert.Equal(Decision.Refuse, r.Decision);
            Assert.Equal(ClaimKind.Url, r.Kind);
            Assert.Equal("List Owner", r.Claimant);
            Assert.True(ClaimIds.IsValid(r.Id));
        });
        Assert.Contains("line 5", read[2].Evidence!.Note);

        // Merged into the source, the two already there are skipped.
        var result = source.Merge(read, User, "blocked.txt");
        Assert.Equal((1, 2, 0), (result.Added, result.Skipped, result.Revoked));
    }

    [Fact]
    public async Task Parquet_is_readable_by_Parquet_Net_on_its_own()
    {
        var records = FillSource();
        var file = Path.Combine(folder, "list.parquet");
        OptOutListFormat.Write(records, file, ListFormat.Parquet);

        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(
            ["id", "decision", "kind", "target", "claimant", "reason", "created_at", "status", "revoked_at", "revoked_by", "revoked_reason", "perceptual_hash", "model_id", "embedding", "evidence", "origin"],
            fields.Select(f => f.Name));
        Assert.Equal(1, reader.RowGroupCount);
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal((long)records.Count, group.RowCount);

        async Task<string?[]> Column(string name)
        {
            var values = new string?[records.Count];
            await group.ReadAsync(fields.Single(f => f.Name == name), values.AsMemory()!);
            return values;
        }
        Assert.Equal(records.Select(r => r.Id), await Column("id"));
        Assert.Equal(records.Select(r => r.Target), await Column("target"));
        Assert.Equal(records.Select(r => r.Status.ToString()), await Column("status"));
        Assert.Equal(records.Select(r => r.PerceptualHash?.ToString("x16", CultureInfo.InvariantCulture)), await Column("perceptual_hash"));
        var embeddings = new byte[]?[records.Count];
        await group.ReadAsync(fields.Single(f => f.Name == "embedding"), embeddings.AsMemory());
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].Embedding is { } e ? Bytes(e) : null, embeddings[i]);
        }
    }

    [Fact]
    public void An_empty_registry_exports_a_valid_empty_list_in_every_format()
    {
        foreach (var format in Enum.GetValues<ListFormat>())
        {
            var file = Path.Combine(folder, "empty." + format);
            Assert.Equal(0L, OptOutListFormat.Write([], file, format));
            Assert.Empty(OptOutListFormat.Read(file, format, "x"));
        }
    }

    // ---- atomic writes -------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(RecordFormats))]
    public void An_existing_file_is_replaced_whole_and_no_temporary_file_is_left(ListFormat format)
    {
        var records = FillSource();
        var file = Path.Combine(folder, "replace." + format);
        File.WriteAllText(file, new string('x', 1_000_000));
        OptOutListFormat.Write(records.Take(2), file, format);
        Assert.Equal(2, OptOutListFormat.Read(file, format, "x").Count);
        Assert.Equal(["replace." + format], Directory.GetFiles(folder, "*replace*").Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Theory]
    [MemberData(nameof(RecordFormats))]
    public void A_write_that_fails_half_way_leaves_the_old_file_as_it_was(ListFormat format)
    {
        var records = FillSource();
        var file = Path.Combine(folder, "old." + format);
        OptOutListFormat.Write(records, file, format);
        var old = File.ReadAllBytes(file);

        IEnumerable<StoredClaim> Failing()
        {
            foreach (var r in records.Take(3)) yield return r;
            throw new IOException("the registry went away");
        }
        Assert.Throws<IOException>(() => OptOutListFormat.Write(Failing(), file, format));
        Assert.Equal(old, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        Assert.Single(Directory.GetFiles(folder, "*old*"));
    }

    // ---- malformed lists -------------------------------------------------------------------------

    /// <summary>A CSV of four records without evidence or quoted text: line 2 to line 5, no quote anywhere.</summary>
    private string WriteSimpleCsv()
    {
        var records = FillSource().Where(r => r.Evidence is null && r.Kind != ClaimKind.Content).ToList();
        Assert.Equal(4, records.Count);
        var file = Path.Combine(folder, "valid.csv");
        OptOutListFormat.Write(records, file, ListFormat.Csv);
        Assert.DoesNotContain("\"", File.ReadAllText(file));
        Assert.Equal(4, OptOutListFormat.Read(file, ListFormat.Csv, "x").Count);
        return file;
    }

    private static string ReplaceField(string line, int index, string value)
    {
        var fields = line.Split(',');
        fields[index] = value;
        return string.Join(',', fields);
    }

    private static ListFormatException Rejected(string file, ListFormat format)
    {
        var e = Assert.Throws<ListFormatException>(() => OptOutListFormat.Read(file, format, "x"));
        Assert.Contains("nothing was imported", e.Message);
        Assert.Contains(e.Where, e.Message);
        return e;
    }

    [Fact]
    public void A_csv_with_a_bad_decision_on_line_3_is_rejected_at_line_3()
    {
        var lines = File.ReadAllLines(WriteSimpleCsv());
        lines[2] = ReplaceField(lines[2], 1, "Maybe");
        var file = Path.Combine(folder, "bad-enum.csv");
        File.WriteAllLines(file, lines);
        var e = Rejected(file, ListFormat.Csv);
        Assert.Equal("line 3", e.Where);
        Assert.Contains("Maybe", e.Message);
    }

    [Theory]
    [InlineData(3, 1, "1")]    // Enum.TryParse reads "1" as Grant: an "opted out = 1" column would become consent
    [InlineData(2, 2, "0")]    // ... "0" as Url
    [InlineData(3, 7, "0")]    // ... "0" as Active
    public void A_csv_with_a_number_for_an_enum_is_rejected(int line, int field, string number)
    {
        var lines = File.ReadAllLines(WriteSimpleCsv());
        lines[line - 1] = ReplaceField(lines[line - 1], field, number);
        var file = Path.Combine(folder, "numeric-enum.csv");
        File.WriteAllLines(file, lines);
        Assert.Equal($"line {line}", Rejected(file, ListFormat.Csv).Where);
    }

    [Fact]
    public void A_csv_with_an_unclosed_quote_is_rejected_at_the_line_it_opens()
    {
        var lines = File.ReadAllLines(WriteSimpleCsv());
        lines[2] = ReplaceField(lines[2], 4, "\"Jane Doe");
        var file = Path.Combine(folder, "unclosed.csv");
        File.WriteAllLines(file, lines);
        var e = Rejected(file, ListFormat.Csv);
        Assert.Equal("line 3", e.Where);
        Assert.Contains("not closed", e.Message);
    }

    [Fact]
    public void A_csv_with_a_wrong_field_count_is_rejected_at_its_line()
    {
        var lines = File.ReadAllLines(WriteSimpleCsv());
        lines[2] += ",extra";
        var file = Path.Combine(folder, "fields.csv");
        File.WriteAllLines(file, lines);
        var e = Rejected(file, ListFormat.Csv);
        Assert.Equal("line 3", e.Where);
        Assert.Contains("17 fields", e.Message);
    }

    [Fact]
    public void Csv_line_numbers_count_the_lines_inside_quoted_fields()
    {
        var records = FillSource();
        var file = Path.Combine(folder, "multiline.csv");
        // The first record's reason spans two lines (line 2 and 3 of the file); the next record starts on line 4.
        OptOutListFormat.Write(records, file, ListFormat.Csv);
        var text = File.ReadAllText(file);
        var second = records[1].Id;
        text = text.Replace(second + ",Refuse,", second + ",Nope,");
        File.WriteAllText(file, text);
        Assert.Equal("line 4", Rejected(file, ListFormat.Csv).Where);
    }

    [Fact]
    public void A_json_syntax_error_is_rejected_with_its_line()
    {
        var file = Path.Combine(folder, "syntax.json");
        File.WriteAllText(file, "[\n  {\"id\": \"" + ClaimIds.New() + "\",\n   \"decision\": \"Refuse\"\n   \"kind\": \"Url\"}\n]\n");
        var e = Rejected(file, ListFormat.Json);
        Assert.Equal("line 4", e.Where);
    }

    [Fact]
    public void A_json_record_with_an_id_that_is_not_a_guid_is_rejected_with_its_record_number()
    {
        var records = FillSource();
        var file = Path.Combine(folder, "ids.json");
        OptOutListFormat.Write(records, file, ListFormat.Json);
        File.WriteAllText(file, File.ReadAllText(file).Replace(records[2].Id, "record-three"));
        var e = Rejected(file, ListFormat.Json);
        Assert.Equal("record 3", e.Where);
        Assert.Contains("record-three", e.Message);
    }

    [Fact]
    public void Parquet_of_random_bytes_is_rejected()
    {
        var file = Path.Combine(folder, "random.parquet");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(file, bytes);
        Assert.Equal("file", Rejected(file, ListFormat.Parquet).Where);
    }

    [Fact]
    public async Task A_parquet_row_with_a_bad_kind_is_rejected_with_its_row()
    {
        var records = FillSource();
        var file = Path.Combine(folder, "rows.parquet");
        var fields = new DataField[] { new DataField<string>("id"), new DataField<string>("decision"), new DataField<string>("kind"), new DataField<string>("target"), new DataField<string>("claimant"), new DataField<string>("created_at") };
        await using (var stream = File.Create(file))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], records.Select(r => r.Id).ToArray());
            await group.WriteAsync(fields[1], records.Select(r => r.Decision.ToString()).ToArray());
            await group.WriteAsync(fields[2], records.Select((r, i) => i == 4 ? "Picture" : r.Kind.ToString()).ToArray());
            await group.WriteAsync(fields[3], records.Select(r => r.Target).ToArray());
            await group.WriteAsync(fields[4], records.Select(r => r.Claimant).ToArray());
            await group.WriteAsync(fields[5], records.Select(r => r.CreatedAt.ToString("o")).ToArray());
        }
        var e = Rejected(file, ListFormat.Parquet);
        Assert.Equal("row 5", e.Where);
        Assert.Contains("Picture", e.Message);
    }

    [Fact]
    public void A_url_list_with_a_line_that_is_not_a_url_is_rejected_at_that_line()
    {
        var file = Path.Combine(folder, "urls.txt");
        File.WriteAllText(file, "https://a.example/1.jpg\n# comment\nhttps://a.example/2.jpg\nnot a url\nhttps://a.example/3.jpg\n");
        var e = Rejected(file, ListFormat.UrlList);
        Assert.Equal("line 4", e.Where);
        Assert.Contains("not a url", e.Message);
    }

    // ---- merging ---------------------------------------------------------------------------------------

    [Fact]
    public void Merging_skips_what_is_there_applies_revocations_and_reports_conflicts()
    {
        var records = FillSource();
        var targetPath = Path.Combine(folder, "target.db");
        using var target = RegistryStore.Open(targetPath, "merger");

        // The target already knows the first record (same id) and the URL of another (its own id),
        // has a refusal where the list has a grant, and has the revoked record still active.
        var active = records.Select(r => r with { Status = ClaimStatus.Active, RevokedAt = null, RevokedBy = null, RevokedReason = null }).ToList();
        Assert.Equal(2, target.Merge([active[0], active[1]], "merger", "earlier.csv").Added);
        target.AddClaims([UrlClaim("https://other.example/plain.jpg", claimant: "Someone Else"), UrlClaim("https://granted.example/g.jpg", claimant: "Refuser")], "merger");
        var sameIdOtherTarget = records[3] with { Target = Sha256Of("different picture") };
        var dumpBefore = Dump(targetPath);

        var list = records.ToList();
        list.Add(sameIdOtherTarget);
        var result = target.Merge(list, "merger", "partner.json", applyRevocations: true);

        // 0 and 1 known by id (1 now revoked by the list), 2, 3, 4 new, 5 same active claim, 6 a grant against a refusal, 7 same id as 3.
        Assert.Equal(1, result.Revoked);
        Assert.Equal(4, result.Added);   // 2, 3, 4 and the contradicting grant 6
        Assert.Equal(3, result.Skipped); // 0 by id, 5 as the same active claim, 7 by id (conflict)
        Assert.Equal(2, result.Conflicts.Count);
        Assert.Contains(result.Conflicts, c => c.StartsWith(records[6].Id, StringComparison.Ordinal) && c.Contains("contradicts"));
        Assert.Contains(result.Conflicts, c => c.StartsWith(records[3].Id, StringComparison.Ordinal) && c.Contains("kept this registry's"));

        var revoked = target.Read(new RecordFilter { Ids = [records[1].Id], IncludeRevoked = true }).Single();
        Assert.Equal(ClaimStatus.Revoked, revoked.Status);
        // The importer's revocation, made now, saying what the list said.
        Assert.Equal("merger", revoked.RevokedBy);
        Assert.InRange(revoked.RevokedAt!.Value, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.Contains("partner.json", revoked.RevokedReason);
        Assert.Contains("by revoker", revoked.RevokedReason);
        Assert.Contains("not mine; after all", revoked.RevokedReason);
        Assert.Single(target.History(recordId: records[1].Id, action: "ImportRevoke"));
        Assert.Equal(records[3].Target, target.Read(new RecordFilter { Ids = [records[3].Id] }).Single().Target);
        // Both the refusal and the grant of granted.example stay active.
        Assert.Equal(2, target.Read(new RecordFilter { Url = "https://granted.example/g.jpg" }).Count());
        Assert.NotEqual(dumpBefore, Dump(targetPath));
    }
}
