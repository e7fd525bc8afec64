using Npgsql;
using OptOut.Core.Registry;

namespace OptOut.Core.Tests.Registry;

/// <summary>
/// -RegistryPath and OPTOUT_REGISTRY name a SQLite file or a PostgreSQL database, and one is never
/// taken for the other (a connection string used to become a folder named 'Host=...').
/// </summary>
public sealed class RegistryLocationTests
{
    [Theory]
    [InlineData("registry.db")]
    [InlineData("/data/registry.db")]
    [InlineData("./host=a.db")]
    [InlineData("/srv/host=x/registry.db")]
    [InlineData("C:\\Users\\jane\\registry.db")]
    [InlineData("my registry; notes=1.db")]
    [InlineData("postgres-backup.db")]
    [InlineData("hostile=1.db")]
    public void Paths_are_files(string text)
    {
        var location = RegistryLocation.Parse(text);
        Assert.Equal(RegistryBackend.Sqlite, location.Backend);
        Assert.Equal(text, location.FilePath);
    }

    [Theory]
    [InlineData("Host=db.example;Port=5433;Username=jane;Database=consent", "db.example", 5433, "jane", "consent")]
    [InlineData("Server=db.example;User Id=jane;Database=consent", "db.example", 5432, "jane", "consent")]
    [InlineData("host=db.example port=5433 user=jane dbname=consent", "db.example", 5433, "jane", "consent")]
    [InlineData("host='/run/my sockets' dbname=consent user=jane", "/run/my sockets", 5432, "jane", "consent")]
    [InlineData("host=/tmp", "/tmp", 5432, null, null)]
    [InlineData("postgresql://jane@db.example:5433/consent", "db.example", 5433, "jane", "consent")]
    [InlineData("postgres://db.example/consent?sslmode=disable", "db.example", 5432, null, "consent")]
    [InlineData("postgresql://jane@%2Fvar%2Frun%2Fpostgresql/consent", "/var/run/postgresql", 5432, "jane", "consent")]
    [InlineData("postgresql:///consent?host=/tmp&port=6000", "/tmp", 6000, null, "consent")]
    public void Connection_strings_in_every_form_name_the_same_server(string text, string host, int port, string? user, string? database)
    {
        var location = RegistryLocation.Parse(text);
        Assert.Equal(RegistryBackend.Postgres, location.Backend);
        Assert.Null(location.FilePath);
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal((host, port, user, database), (builder.Host, builder.Port, builder.Username, builder.Database));
    }

    [Theory]
    [InlineData("Host=db.example;Bogus=1")]
    [InlineData("host=db.example bogus=1 dbname=x")]
    [InlineData("Port=abc;Host=x")]
    [InlineData("postgresql://db.example/consent?nonsense=1")]
    [InlineData("dbname=consent")]
    public void A_connection_string_that_does_not_parse_is_an_error_never_a_file(string text)
    {
        Assert.True(RegistryLocation.LooksLikeConnection(text));
        Assert.Throws<ArgumentException>(() => RegistryLocation.Parse(text));
    }

    [Theory]
    [InlineData("Host=db.example;Username=jane;Password=s3cr3t-Pa55;Database=consent")]
    [InlineData("host=db.example user=jane password=s3cr3t-Pa55 dbname=consent")]
    [InlineData("postgresql://jane:s3cr3t-Pa55@db.example/consent")]
    public void The_password_never_shows(string text)
    {
        var location = RegistryLocation.Parse(text);
        Assert.DoesNotContain("s3cr3t-Pa55", location.Display, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-Pa55", location.ToString(), StringComparison.Ordinal);
        Assert.Contains("db.example", location.Display, StringComparison.Ordinal);
        Assert.Equal("s3cr3t-Pa55", new NpgsqlConnectionStringBuilder(location.ConnectionString).Password);
    }

    [Fact]
    public void A_malformed_connection_string_error_does_not_repeat_the_password()
    {
        var e = Assert.Throws<ArgumentException>(() => RegistryLocation.Parse("Host=db.example;Password=s3cr3t-Pa55;Bogus=1"));
        Assert.DoesNotContain("s3cr3t-Pa55", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credential_overrides_the_user_and_password_and_a_file_takes_none()
    {
        var location = RegistryLocation.Parse("Host=db.example;Username=jane;Database=consent", "ci", "pw-from-credential");
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal(("ci", "pw-from-credential"), (builder.Username, builder.Password));
        Assert.Throws<ArgumentException>(() => RegistryLocation.Parse("registry.db", "ci", "pw"));
    }
}
