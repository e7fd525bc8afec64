using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Registry;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// Real registry files in scratch folders, raw SQL through Microsoft.Data.Sqlite (a connection of its
/// own, as another program would open the file), and claims to add.
/// </summary>
internal static class RegistryFixtures
{
    public const string User = "registry-tests";

    public static string NewRegistryPath() => Path.Combine(TestEnvironment.NewScratchFolder(), "registry.db");

    /// <summary>A plain connection to the file: no pragmas of the module's, no triggers of its own.</summary>
    public static SqliteConnection OpenRaw(string path, bool readOnly = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    public static T Query<T>(string path, string sql)
    {
        using var connection = OpenRaw(path, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<object?[]> Rows(string path, string sql)
    {
        using var connection = OpenRaw(path, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static int Execute(string path, string sql)
    {
        using var connection = OpenRaw(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public static IReadOnlyList<string> Indexes(string path, string table) =>
        Rows(path, $"SELECT name FROM pragma_index_list('{table}') ORDER BY name").Select(r => (string)r[0]!).ToList();

    public static IReadOnlyList<string> Columns(string path, string table) =>
        Rows(path, $"SELECT name FROM pragma_table_info('{table}')").Select(r => (string)r[0]!).ToList();

    /// <summary>Every row of the registry's three append-only tables and meta, as text: equal dumps mean nothing changed.</summary>
    public static string Dump(string path)
    {
        var text = new StringBuilder();
        foreach (var table in new[] { "meta", "claims", "revocations", "audit" })
        {
            text.Append("== ").AppendLine(table);
            foreach (var row in Rows(path, $"SELECT * FROM {table} ORDER BY 1"))
            {
                text.AppendLine(string.Join(" | ", row.Select(v => v is byte[] b ? Convert.ToHexString(b) : Convert.ToString(v, CultureInfo.InvariantCulture))));
            }
        }
        return text.ToString();
    }

    public static NewClaim UrlClaim(string url, string claimant = "Jane Doe", Decision decision = Decision.Refuse, string? reason = null, Evidence? evidence = null) =>
        new() { Decision = decision, Kind = ClaimKind.Url, Target = url, Claimant = claimant, Reason = reason, Evidence = evidence };

    public static NewClaim DomainClaim(string domain, string claimant = "Jane Doe", Decision decision = Decision.Refuse, string? reason = null) =>
        new() { Decision = decision, Kind = ClaimKind.Domain, Target = domain, Claimant = claimant, Reason = reason };

    public static NewClaim ContentClaim(string seed, string claimant = "Jane Doe", Decision decision = Decision.Refuse, string? reason = null) =>
        new()
        {
            Decision = decision,
            Kind = ClaimKind.Content,
            Content = new ContentFingerprint(Sha256Of(seed).ToUpperInvariant(), 0x8000_0000_0000_0001UL ^ (ulong)seed.Length, Vector(seed), "resnet18-test@" + seed),
            Claimant = claimant,
            Reason = reason,
            Evidence = new Evidence { File = $"/art/{seed}.png", FileSha256 = Sha256Of(seed) },
        };

    public static string Sha256Of(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>A 512-float vector that depends on the seed, with values no text format rounds away easily.</summary>
    public static float[] Vector(string seed)
    {
        var random = new Random(seed.GetHashCode(StringComparison.Ordinal) ^ 512);
        var v = new float[512];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1) / 3f;
        v[0] = float.Epsilon;      // subnormal
        v[1] = 123456.789f;
        v[2] = 1.0f / 3.0f;
        return v;
    }
}
