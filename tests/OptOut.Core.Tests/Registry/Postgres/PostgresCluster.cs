using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OptOut.Core.Tests.Registry.Postgres;

/// <summary>
/// A private PostgreSQL server for the tests: Debian's binaries (/usr/lib/postgresql/*/bin),
/// initdb into a temporary folder, pg_ctl start on a free port with its Unix socket in that
/// folder (and on 127.0.0.1 with password logins, for the credential tests), stopped and deleted
/// when the test process exits. PostgreSQL refuses to run as root: as root the server runs as the
/// 'postgres' system user (runuser). One server serves the whole test run; each test takes a
/// database of its own (<see cref="NewDatabase"/>).
/// </summary>
public sealed class PostgresCluster
{
    /// <summary>The superuser initdb creates (trust on the socket).</summary>
    public const string Superuser = "optout";

    private static readonly Lazy<PostgresCluster> shared = new(Start);

    private PostgresCluster(string folder, int port, string bin)
    {
        Folder = folder;
        Port = port;
        Bin = bin;
    }

    public static PostgresCluster Shared => shared.Value;

    /// <summary>The folder of the server binaries, or null when PostgreSQL is not installed.</summary>
    public static string? BinFolder => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).OrderDescending().FirstOrDefault()
        : null;

    public string Folder { get; }

    public int Port { get; }

    public string Bin { get; }

    /// <summary>The socket folder (Host= for a Unix-socket connection).</summary>
    public string SocketFolder => Folder;

    /// <summary>An Npgsql connection string to <paramref name="database"/> over the socket, as the superuser (or <paramref name="user"/>).</summary>
    public string ConnectionString(string database, string user = Superuser) =>
        new NpgsqlConnectionStringBuilder { Host = SocketFolder, Port = Port, Username = user, Database = database, Pooling = false }.ConnectionString;

    /// <summary>A new empty database; its name.</summary>
    public string NewDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        Execute("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    public void Execute(string database, string sql, string user = Superuser)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database, user));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public T Scalar<T>(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>Stops the server (fast shutdown: connections are cut) and starts it again.</summary>
    public void Restart()
    {
        Run(Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(Folder, "data"), "-m", "fast", "-w", "stop");
        StartServer();
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static PostgresCluster Start()
    {
        var bin = BinFolder ?? throw new InvalidOperationException("PostgreSQL's server binaries are not installed (apt-get install postgresql).");
        // Short: a Unix socket path must fit in 107 bytes.
        var folder = Path.Combine("/tmp", "optout-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        if (IsRoot) Run("chown", "postgres:postgres", folder);
        var cluster = new PostgresCluster(folder, FreePort(), bin);
        Run(Path.Combine(bin, "initdb"), "-D", Path.Combine(folder, "data"), "-U", Superuser, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        cluster.StartServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private void StartServer()
    {
        Run(Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(Folder, "data"), "-l", Path.Combine(Folder, "log"), "-w", "-o",
            $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start");
    }

    private void Stop()
    {
        try
        {
            Run(Path.Combine(Bin, "pg_ctl"), "-D", Path.Combine(Folder, "data"), "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped; the folder goes all the same.
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // As root, the server's programs run as 'postgres'.
    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(IsRoot && program != "chown" ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        if (IsRoot && program != "chown")
        {
            foreach (var a in new[] { "-u", "postgres", "--", program }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr}{stdout.Result}");
    }
}

/// <summary>A test that needs the PostgreSQL server binaries: skipped, saying so, without them.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresCluster.BinFolder is null) Skip = "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin; build.ps1 Test installs Debian's postgresql).";
    }
}
