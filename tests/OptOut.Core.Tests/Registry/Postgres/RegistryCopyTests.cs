using OptOut.Core.Registry;
using OptOut.Core.Registry.Postgres;
using static OptOut.Core.Tests.Registry.RegistryFixtures;

namespace OptOut.Core.Tests.Registry.Postgres;

/// <summary>
/// RegistryCopy between a SQLite file and a real PostgreSQL server, both ways: every record (with
/// revocations, embeddings, evidence, origins) equal field by field, the audit trail kept, a
/// non-empty destination refused untouched, a record PostgreSQL cannot hold refused whole.
/// </summary>
public sealed class RegistryCopyTests
{
    [PostgresFact]
    public void Sqlite_to_postgres_to_sqlite_gives_back_every_record_and_the_audit_trail()
    {
        var sourcePath = NewRegistryPath();
        using var source = RegistryStore.Open(sourcePath, User);
        var added = source.AddClaims([
            UrlClaim("https://a.example/1.jpg", claimant: "O'Brien \\ \"q\"", reason: "mine", evidence: new Evidence { MatchedDataset = "laion", Similarity = 0.91, HashDistance = 3 }),
            DomainClaim("b.example", decision: Decision.Grant), ContentClaim("cat"), ContentClaim("dog")], User);
        source.Revoke([added[1].Record.Id], "admin", "withdrawn");
        source.Merge([RegistryStore.NewRecord(UrlClaim("https://c.example/x.jpg"), DateTime.UtcNow)], User, "partner.csv");

        var database = PostgresCluster.Shared.NewDatabase();
        using var pg = PostgresRegistryStore.Open(RegistryLocation.Parse(PostgresCluster.Shared.ConnectionString(database)), User);
        var there = RegistryCopy.Run(source, pg, "mover", append: false);
        Assert.Equal((5, 1, 5), (there.Records, there.Revoked, there.Compared));

        using var back = RegistryStore.Open(NewRegistryPath(), User);
        var home = RegistryCopy.Run(pg, back, "mover", append: false);
        Assert.Equal(5, home.Compared);

        var all = new RecordFilter { IncludeRevoked = true, IncludeEmbeddings = true };
        var original = source.Read(all).ToList();
        var returned = back.Read(all).ToDictionary(r => r.Id);
        Assert.All(original, r => Assert.Null(RegistryCopy.Differs(r, returned[r.Id])));
        Assert.Equal("partner.csv", returned[original[^1].Id].Origin);

        static string Line(AuditEntry a) => $"{a.At:O} {a.User} {a.Action} {a.RecordId} {a.Reason} {a.Detail}";
        var trail = back.History().Select(Line).ToList();
        Assert.All(source.History(), a => Assert.Contains(Line(a), trail));
        Assert.Equal(2, back.History(action: "Copy").Count());
    }

    [PostgresFact]
    public void A_destination_with_records_is_refused_untouched_unless_appending()
    {
        using var source = RegistryStore.Open(NewRegistryPath(), User);
        source.AddClaims([UrlClaim("https://a.example/1.jpg"), UrlClaim("https://a.example/2.jpg")], User);
        var database = PostgresCluster.Shared.NewDatabase();
        using var pg = PostgresRegistryStore.Open(RegistryLocation.Parse(PostgresCluster.Shared.ConnectionString(database)), User);
        pg.AddClaims([UrlClaim("https://other.example/1.jpg")], User);
        var audit = pg.History().Count();
        Assert.Throws<RegistryNotEmptyException>(() => RegistryCopy.Run(source, pg, User, append: false));
        Assert.Equal(((1L, 0L), audit), (pg.Counts(), pg.History().Count()));

        Assert.Equal(2, RegistryCopy.Run(source, pg, User, append: true).Records);
        var again = RegistryCopy.Run(source, pg, User, append: true);
        Assert.Equal((0, 2), (again.Records, again.SkippedPresent));
        Assert.Equal((3L, 0L), pg.Counts());
    }

    [PostgresFact]
    public void A_record_postgres_cannot_hold_stops_the_copy_before_anything_is_written()
    {
        using var source = RegistryStore.Open(NewRegistryPath(), User);
        // A list imported into a file registry can carry a NUL (SQLite text holds one).
        source.Merge([RegistryStore.NewRecord(UrlClaim("https://a.example/1.jpg"), DateTime.UtcNow),
            RegistryStore.NewRecord(UrlClaim("https://a.example/2.jpg"), DateTime.UtcNow) with { Reason = "bad\0reason" }], User, "list.csv");
        var database = PostgresCluster.Shared.NewDatabase();
        using var pg = PostgresRegistryStore.Open(RegistryLocation.Parse(PostgresCluster.Shared.ConnectionString(database)), User);
        var audit = pg.History().Count();
        var e = Assert.Throws<ArgumentException>(() => RegistryCopy.Run(source, pg, User, append: false));
        Assert.Contains("NUL", e.Message, StringComparison.Ordinal);
        Assert.Equal(((0L, 0L), audit), (pg.Counts(), pg.History().Count()));
    }
}
