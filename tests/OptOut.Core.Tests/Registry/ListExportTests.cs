using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// What an export writes and how (issue 12, items 8 and 14): records selected by id are exactly
/// those, in their order, and an empty selection is empty (piping one claimant's records used to
/// export the whole registry); temporary files a killed export left are removed by the next export
/// to the same path, one in use is not; errors name the user's path, not the temporary file.
/// </summary>
public sealed class ListExportTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly RegistryStore store;
    private readonly List<StoredClaim> added;

    public ListExportTests()
    {
        store = RegistryStore.Open(Path.Combine(folder, "registry.db"), User);
        added = store.AddClaims(
        [
            UrlClaim("https://a.example/1.jpg", claimant: "Jane Doe"),
            UrlClaim("https://a.example/2.jpg", claimant: "John Roe"),
            DomainClaim("jane.example", claimant: "Jane Doe"),
            UrlClaim("https://a.example/3.jpg", claimant: "Jane Doe"),
        ], User).Select(o => o.Record).ToList();
        store.Revoke([added[3].Id], User, "withdrawn");
    }

    public void Dispose() => store.Dispose();

    [Fact]
    public void A_selection_by_id_is_exactly_those_records_in_the_order_given_revoked_included()
    {
        var ids = new[] { added[3].Id, added[0].Id, added[2].Id, added[0].Id };
        Assert.Equal([added[3].Id, added[0].Id, added[2].Id], store.ReadSelection(ids, new RecordFilter()).Select(r => r.Id));
        // The filters narrow a selection, they never add to it.
        Assert.Equal([added[0].Id], store.ReadSelection(ids, new RecordFilter { Kind = ClaimKind.Url, Claimant = "jane doe" }).Where(r => r.Status == ClaimStatus.Active).Select(r => r.Id));
        Assert.Equal([added[0].Id], store.ReadSelection(ids, new RecordFilter(), ["HTTPS://A.EXAMPLE/1.jpg"]).Select(r => r.Id));
        Assert.Equal([added[1].Id], store.ReadSelection([added[1].Id], new RecordFilter { Claimant = "John Roe" }).Select(r => r.Id));
    }

    [Fact]
    public void An_empty_selection_is_empty_while_no_selection_is_what_the_filter_selects()
    {
        Assert.Empty(store.ReadSelection([], new RecordFilter()));
        Assert.Equal(3, store.ReadSelection(null, new RecordFilter()).Count());
        Assert.Equal([added[0].Id, added[2].Id], store.ReadSelection(null, new RecordFilter { Claimant = "Jane Doe" }).Select(r => r.Id));

        var file = Path.Combine(folder, "empty.csv");
        Assert.Equal(0L, OptOutListFormat.Write(store.ReadSelection([], new RecordFilter()), file, ListFormat.Csv));
        Assert.Empty(OptOutListFormat.Read(file, ListFormat.Csv, "unused"));
    }

    [Fact]
    public void Ids_not_in_the_registry_are_named_and_a_large_selection_is_one_query()
    {
        var unknown = ClaimIds.New(DateTimeOffset.UtcNow);
        Assert.Equal([unknown], store.MissingIds([added[0].Id, unknown, added[1].Id]));
        // More ids than SQLite takes as parameters (32,766).
        var many = Enumerable.Range(0, 40_000).Select(i => ClaimIds.New(DateTimeOffset.UtcNow)).Append(added[1].Id).ToList();
        Assert.Equal([added[1].Id], store.ReadSelection(many, new RecordFilter()).Select(r => r.Id));
        Assert.Equal(40_000, store.MissingIds(many).Count);
    }

    [Fact]
    public void The_next_export_removes_what_a_killed_export_left_but_not_a_file_in_use()
    {
        var file = Path.Combine(folder, "list.csv");
        var killed = Path.Combine(folder, $".list.csv.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(killed, "id,decision\r\nhalf a li");
        var inUse = Path.Combine(folder, $".list.csv.{Guid.NewGuid():N}.tmp");
        var otherList = Path.Combine(folder, $".other.csv.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(folder, ".list.csv.backup.tmp");
        foreach (var keep in new[] { otherList, notOurs }) File.WriteAllText(keep, "keep");
        using (var writer = new FileStream(inUse, FileMode.CreateNew, FileAccess.Write, FileShare.Delete))
        {
            Assert.Equal(3L, OptOutListFormat.Write(store.Read(new RecordFilter()), file, ListFormat.Csv));
            Assert.False(File.Exists(killed));
            Assert.True(File.Exists(inUse));
        }
        Assert.True(File.Exists(otherList));
        Assert.True(File.Exists(notOurs));
        Assert.Equal([inUse], OptOutListFormat.RemoveLeftovers(file));
    }

    [Fact]
    public void A_failed_export_names_the_users_path_and_leaves_no_temporary_file()
    {
        var missing = Path.Combine(folder, "no-such-folder", "list.json");
        var e = Assert.ThrowsAny<IOException>(() => OptOutListFormat.Write(store.Read(new RecordFilter()), missing, ListFormat.Json));
        Assert.Contains(missing, e.Message);
        Assert.DoesNotContain(".tmp", e.Message);

        // A failure while the records are read: the temporary file goes, the target is untouched.
        var file = Path.Combine(folder, "kept.json");
        File.WriteAllText(file, "[]");
        IEnumerable<StoredClaim> Failing()
        {
            yield return added[0];
            throw new IOException("the disk went away");
        }
        var failed = Assert.ThrowsAny<IOException>(() => OptOutListFormat.Write(Failing(), file, ListFormat.Json));
        Assert.Contains(file, failed.Message);
        Assert.Equal("[]", File.ReadAllText(file));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Theory]
    [InlineData(ListFormat.Csv)]
    [InlineData(ListFormat.Json)]
    [InlineData(ListFormat.Parquet)]
    [InlineData(ListFormat.UrlList)]
    public void An_export_that_fails_midway_leaves_the_previous_list_whole(ListFormat format)
    {
        var file = Path.Combine(folder, "list." + format.ToString().ToLowerInvariant());
        // Every active record; a URL list holds the URL refusals among them.
        Assert.Equal(format == ListFormat.UrlList ? 2L : 3L, OptOutListFormat.Write(store.Read(new RecordFilter()), file, format));
        var before = File.ReadAllBytes(file);

        // Not an I/O error: the records' source fails after the first few were written.
        IEnumerable<StoredClaim> Failing()
        {
            foreach (var record in store.Read(new RecordFilter())) yield return record;
            throw new InvalidOperationException("the registry went away");
        }
        var failed = Assert.Throws<InvalidOperationException>(() => OptOutListFormat.Write(Failing(), file, format));

        Assert.Equal("the registry went away", failed.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }
}
