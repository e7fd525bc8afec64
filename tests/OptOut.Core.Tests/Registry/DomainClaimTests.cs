using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// "example.com/path" as a domain claim was stored as written and matched nothing (issue 12, item
/// 5): domain claims, made here or imported from a list, are a host or nothing.
/// </summary>
public sealed class DomainClaimTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly RegistryStore store;

    public DomainClaimTests() => store = RegistryStore.Open(Path.Combine(folder, "registry.db"), User);

    public void Dispose() => store.Dispose();

    [Theory]
    [InlineData(Decision.Refuse)]
    [InlineData(Decision.Grant)]
    public void A_domain_claim_with_a_path_is_refused_and_nothing_is_written(Decision decision)
    {
        var before = Dump(store.Path);
        var error = Assert.Throws<ArgumentException>(() => store.AddClaims([DomainClaim("ex.example/path", decision: decision)], User));
        Assert.Contains("ex.example/path", error.Message);
        Assert.Throws<ArgumentException>(() => RegistryStore.NewRecord(DomainClaim("ex.example:8080", decision: decision), DateTime.UtcNow));
        Assert.Equal(before, Dump(store.Path));
    }

    [Fact]
    public void A_site_address_given_as_a_domain_is_recorded_as_its_host_with_a_note()
    {
        var record = RegistryStore.NewRecord(DomainClaim("https://Ex.Example/"), DateTime.UtcNow, out var note);
        Assert.Equal("ex.example", record.Target);
        Assert.Contains("'ex.example'", note);
        RegistryStore.NewRecord(DomainClaim("ex.example"), DateTime.UtcNow, out var none);
        Assert.Null(none);

        store.AddRecords([record], User);
        Assert.Equal(record.Id, Assert.Single(store.Read(new RecordFilter { Domain = "ex.example" })).Id);
    }

    [Fact]
    public void A_list_with_a_domain_record_holding_a_path_is_rejected_at_that_line()
    {
        var file = Path.Combine(folder, "list.csv");
        File.WriteAllText(file, $"""
            id,decision,kind,target,claimant,created_at
            {ClaimIds.New(DateTimeOffset.UtcNow)},Refuse,Domain,ok.example,Jane,2024-01-01T00:00:00Z
            {ClaimIds.New(DateTimeOffset.UtcNow)},Refuse,Domain,ex.example/path,Jane,2024-01-01T00:00:00Z
            """);
        var e = Assert.Throws<ListFormatException>(() => OptOutListFormat.Read(file, ListFormat.Csv, "unused"));
        Assert.Equal("line 3", e.Where);
        Assert.Contains("ex.example/path", e.Message);
    }

    [Fact]
    public void A_list_with_a_domain_given_as_a_site_address_is_read_as_the_host_with_a_note()
    {
        var file = Path.Combine(folder, "list.json");
        File.WriteAllText(file, $$"""
            [{"id":"{{ClaimIds.New(DateTimeOffset.UtcNow)}}","decision":"Refuse","kind":"Domain","target":"https://Ex.Example/","claimant":"Jane","createdAt":"2024-01-01T00:00:00Z"}]
            """);
        var notes = new List<string>();
        var read = OptOutListFormat.Read(file, ListFormat.Json, "unused", notes);
        Assert.Equal("ex.example", Assert.Single(read).Target);
        Assert.StartsWith("record 1: ", Assert.Single(notes));
    }
}
