using OptOut.Core.Registry;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// A list that marked someone's refusal revoked lifted it on import, with the list's claimant as
/// RevokedBy (issue 12, item 10). Revocations from a list are applied only when asked for, as the
/// importer's, naming the list; otherwise they are skipped and counted.
/// </summary>
public sealed class ListRevocationTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly RegistryStore store;
    private readonly StoredClaim local;

    public ListRevocationTests()
    {
        store = RegistryStore.Open(Path.Combine(folder, "registry.db"), "owner");
        local = store.AddClaims([UrlClaim("https://jane.example/art.jpg", claimant: "Jane Doe", reason: "my art")], "owner")[0].Record;
    }

    public void Dispose() => store.Dispose();

    // What a hostile (or stale) list says about Jane's refusal, and a revoked record new here.
    private List<StoredClaim> List() =>
    [
        local with { Status = ClaimStatus.Revoked, RevokedAt = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), RevokedBy = null, RevokedReason = "no longer wanted" },
        new StoredClaim
        {
            Id = ClaimIds.New(DateTimeOffset.UtcNow.AddDays(-9)), Decision = Decision.Refuse, Kind = ClaimKind.Url, Target = "https://other.example/x.jpg",
            Claimant = "John Roe", CreatedAt = DateTime.UtcNow.AddDays(-9), Status = ClaimStatus.Revoked, RevokedAt = DateTime.UtcNow.AddDays(-8), RevokedBy = "mallory",
        },
    ];

    [Fact]
    public void Without_asking_a_list_revokes_nothing_and_the_revoked_records_are_counted()
    {
        var before = Dump(store.Path);
        var result = store.Merge(List(), "importer", "shared.csv", applyRevocations: false, listPath: "/lists/shared.csv");
        Assert.Equal((0, 0, 0, 2), (result.Added, result.Skipped, result.Revoked, result.RevokedNotApplied));
        Assert.Equal(ClaimStatus.Active, store.Read(new RecordFilter { Ids = [local.Id], IncludeRevoked = true }).Single().Status);
        Assert.Equal(before, Dump(store.Path));
    }

    [Fact]
    public void Asked_for_a_revocation_from_a_list_is_the_importers_and_names_the_list()
    {
        var result = store.Merge(List(), "importer", "shared.csv", applyRevocations: true, listPath: "/lists/shared.csv");
        // The local claim revoked, and John Roe's record added as revoked: two revocations made here.
        Assert.Equal((1, 0, 2, 0), (result.Added, result.Skipped, result.Revoked, result.RevokedNotApplied));

        var revoked = store.Read(new RecordFilter { Ids = [local.Id], IncludeRevoked = true }).Single();
        Assert.Equal(ClaimStatus.Revoked, revoked.Status);
        Assert.Equal("importer", revoked.RevokedBy);
        Assert.NotEqual("Jane Doe", revoked.RevokedBy);
        Assert.InRange(revoked.RevokedAt!.Value, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.Contains("/lists/shared.csv", revoked.RevokedReason);
        Assert.Contains("no longer wanted", revoked.RevokedReason);

        var audit = store.History(recordId: local.Id, action: "ImportRevoke").Single();
        Assert.Equal("importer", audit.User);
        Assert.Contains("/lists/shared.csv", audit.Detail);

        // A revoked record new here comes in revoked, the revocation again the importer's, the
        // list's own "by mallory" kept only as what the list said.
        var other = store.Read(new RecordFilter { Url = "https://other.example/x.jpg", IncludeRevoked = true }).Single();
        Assert.Equal(("importer", "shared.csv"), (other.RevokedBy, other.Origin));
        Assert.Contains("by mallory", other.RevokedReason);
        Assert.Single(store.History(recordId: other.Id, action: "ImportRevoke"), h => h.User == "importer" && h.Detail!.Contains("/lists/shared.csv"));
    }
}
