using Microsoft.Data.Sqlite;
using OptOut.Core.Index;
using OptOut.Core.Tests.Registry;
using OptOut.Core.Storage;

namespace OptOut.Core.Tests.Index;

/// <summary>
/// The positional statement the bulk writers use stores exactly what Microsoft.Data.Sqlite would:
/// text (empty is not NULL, any script round-trips), integers, blobs, NULLs; and SQLite's errors
/// come back as SqliteException with SQLite's codes, so retry logic sees them as usual.
/// </summary>
public sealed class BulkStatementTests : IDisposable
{
    private readonly string path = Path.Combine(TestEnvironment.NewScratchFolder(), "bulk.db");
    private readonly SqliteConnection connection;

    public BulkStatementTests()
    {
        connection = SqliteSetup.Open(path);
        SqliteSetup.Execute(connection, "CREATE TABLE t(k TEXT PRIMARY KEY, n INTEGER, b BLOB, s TEXT)");
    }

    public void Dispose() => connection.Dispose();

    [Fact]
    public void Values_round_trip_with_their_types_and_empty_text_stays_empty()
    {
        using (var insert = new BulkStatement(connection, "INSERT INTO t(k, n, b, s) VALUES (?1, ?2, ?3, ?4)"))
        {
            foreach (var (key, number, blob, text) in new (string, long?, byte[]?, string?)[]
            {
                ("a", 1, [1, 2, 3], "plain"),
                ("b", null, null, null),
                ("c", long.MinValue, [], ""),
                ("d", -1, [0], "Grüße, 漢字, 🎨 and a \0 inside"),
            })
            {
                insert.Bind(1, key);
                insert.Bind(2, number);
                insert.BindBlob(3, blob, isNull: blob is null || blob.Length == 0);
                insert.Bind(4, text);
                insert.Run();
            }
        }

        var rows = RegistryFixtures.Rows(path, "SELECT k, typeof(n), n, typeof(b), b, typeof(s), s FROM t ORDER BY k");
        Assert.Equal(["a", "integer", 1L, "blob", new byte[] { 1, 2, 3 }, "text", "plain"], rows[0]);
        Assert.Equal(["b", "null", null, "null", null, "null", null], rows[1]);
        Assert.Equal(["c", "integer", long.MinValue, "null", null, "text", ""], rows[2]);
        Assert.Equal(["d", "integer", -1L, "blob", new byte[] { 0 }, "text", "Grüße, 漢字, 🎨 and a \0 inside"], rows[3]);
    }

    [Fact]
    public void A_failed_step_is_a_SqliteException_with_its_code_and_the_statement_runs_again()
    {
        using var insert = new BulkStatement(connection, "INSERT INTO t(k) VALUES (?1)");
        insert.Bind(1, "same");
        insert.Run();
        var e = Assert.Throws<SqliteException>(() => insert.Run());
        Assert.Equal(19, e.SqliteErrorCode);                // SQLITE_CONSTRAINT
        Assert.Equal(1555, e.SqliteExtendedErrorCode);      // SQLITE_CONSTRAINT_PRIMARYKEY
        Assert.Contains("UNIQUE", e.Message);

        insert.Bind(1, "other");
        insert.Run();
        Assert.Equal(2L, SqliteSetup.Scalar<long>(connection, "SELECT count(*) FROM t"));
    }

    [Fact]
    public void Bad_sql_is_refused_when_prepared()
    {
        var e = Assert.Throws<SqliteException>(() => new BulkStatement(connection, "INSERT INTO missing VALUES (?1)"));
        Assert.Contains("missing", e.Message);
    }
}
