using System.Text;
using Npgsql;

namespace OptOut.Core.Registry;

/// <summary>
/// What <c>-RegistryPath</c> or <c>OPTOUT_REGISTRY</c> names: a SQLite file, or a PostgreSQL
/// database given as an Npgsql connection string (<c>Host=...;Database=...</c>), a libpq keyword
/// string (<c>host=... dbname=...</c>) or a <c>postgresql://</c> / <c>postgres://</c> URI.
/// </summary>
/// <remarks>
/// The rule, so a string is never taken for the other kind (a connection string used to become a
/// folder named <c>Host=...</c>): a URI scheme, or text that starts with a connection keyword
/// followed by <c>=</c> (<c>Host=</c>, <c>host=</c>, <c>Server=</c>, <c>dbname=</c>, ...), is a
/// connection string and must parse as one (an unknown keyword is an error, never a file name).
/// Anything else is a file path; a file whose name starts like that is named with a folder
/// (<c>./host=a.db</c>). The password is kept apart from <see cref="Display"/>, which is what
/// messages, verbose output and the audit log may show.
/// </remarks>
public sealed class RegistryLocation
{
    private RegistryLocation(RegistryBackend backend, string? filePath, NpgsqlConnectionStringBuilder? connection)
    {
        Backend = backend;
        FilePath = filePath;
        Connection = connection;
    }

    /// <summary>Which database holds the registry.</summary>
    public RegistryBackend Backend { get; }

    /// <summary>The file, for <see cref="RegistryBackend.Sqlite"/> (as given; the caller resolves it).</summary>
    public string? FilePath { get; }

    /// <summary>The connection settings, for <see cref="RegistryBackend.Postgres"/>; holds the password when one was given.</summary>
    internal NpgsqlConnectionStringBuilder? Connection { get; }

    /// <summary>The connection string to open (password included); never shown.</summary>
    internal string ConnectionString => Connection?.ConnectionString ?? throw new InvalidOperationException("Not a PostgreSQL location.");

    /// <summary>What may be shown: the file path, or the connection string without any password.</summary>
    public string Display => Backend == RegistryBackend.Sqlite ? FilePath! : Redact(Connection!);

    /// <summary>The <see cref="Display"/> form: never a password.</summary>
    public override string ToString() => Display;

    /// <summary>A SQLite file at <paramref name="path"/>.</summary>
    public static RegistryLocation File(string path) => new(RegistryBackend.Sqlite, path, null);

    /// <summary>
    /// Classifies <paramref name="text"/> (see the remarks on the type). Throws
    /// <see cref="ArgumentException"/> for a connection string that does not parse; the message
    /// never contains the password.
    /// </summary>
    public static RegistryLocation Parse(string text) => Parse(text, null, null);

    /// <summary>
    /// <see cref="Parse(string)"/>, with a user name and password that override the text's (a
    /// -Credential). Without a password anywhere, <c>PGPASSWORD</c> is used when set, then the
    /// password file (<c>PGPASSFILE</c> or <c>~/.pgpass</c>, read by Npgsql).
    /// </summary>
    public static RegistryLocation Parse(string text, string? user, string? password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var trimmed = text.Trim();
        NpgsqlConnectionStringBuilder builder;
        if (trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            builder = FromUri(trimmed);
        }
        else if (LeadingKeyword(trimmed) is not null)
        {
            // Without ';' the pairs are separated by spaces (libpq's form; one pair reads the same either way).
            builder = !trimmed.Contains(';') && TryLibpq(trimmed, out var pairs) ? FromPairs(pairs) : FromNpgsql(trimmed);
        }
        else
        {
            if (user is not null || password is not null)
            {
                throw new ArgumentException("A credential applies to a PostgreSQL registry only; a SQLite registry file is protected by the file's permissions.");
            }
            return File(text);
        }
        if (user is not null) builder.Username = user;
        if (password is not null) builder.Password = password;
        if (string.IsNullOrEmpty(builder.Password) && Environment.GetEnvironmentVariable("PGPASSWORD") is { Length: > 0 } fromEnvironment)
        {
            builder.Password = fromEnvironment;
        }
        if (string.IsNullOrEmpty(builder.Host)) throw new ArgumentException($"The connection string '{Redact(builder)}' names no host (Host=, host= or the URI's host).");
        return new RegistryLocation(RegistryBackend.Postgres, null, builder);
    }

    /// <summary>True when <paramref name="text"/> would be read as a PostgreSQL location (it may still fail to parse).</summary>
    public static bool LooksLikeConnection(string text)
    {
        var t = text.Trim();
        return t.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || LeadingKeyword(t) is not null;
    }

    // libpq's keywords (https://www.postgresql.org/docs/current/libpq-connect.html) mapped to
    // Npgsql's; null: accepted and ignored (no Npgsql equivalent, no effect on what is connected to).
    private static readonly Dictionary<string, string?> Libpq = new(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Host", ["hostaddr"] = "Host", ["port"] = "Port", ["dbname"] = "Database", ["user"] = "Username",
        ["password"] = "Password", ["passfile"] = "Passfile", ["connect_timeout"] = "Timeout", ["application_name"] = "Application Name",
        ["options"] = "Options", ["sslmode"] = "SSL Mode", ["sslcert"] = "SSL Certificate", ["sslkey"] = "SSL Key",
        ["sslrootcert"] = "Root Certificate", ["sslpassword"] = "SSL Password", ["target_session_attrs"] = "Target Session Attributes",
        ["keepalives_idle"] = "Keepalive", ["krbsrvname"] = "Kerberos Service Name", ["client_encoding"] = "Client Encoding",
        ["gssencmode"] = "GSS Encryption Mode", ["channel_binding"] = "Channel Binding", ["load_balance_hosts"] = "Load Balance Hosts",
        ["fallback_application_name"] = null, ["keepalives"] = null, ["keepalives_interval"] = null, ["keepalives_count"] = null,
    };

    // The keywords a connection string may start with: libpq's and the Npgsql ones that name where to connect.
    private static readonly HashSet<string> Leading = new(Libpq.Keys.Concat(["server", "database", "db", "username", "user name", "user id", "userid", "uid", "pwd", "psw", "ssl mode", "search path", "timeout", "pooling"]), StringComparer.OrdinalIgnoreCase);

    private static string? LeadingKeyword(string text)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0) return null;
        var key = text[..equals].Trim();
        return key.Length > 0 && key.All(c => char.IsAsciiLetter(c) || c is '_' or ' ') && Leading.Contains(key) ? key : null;
    }

    private static NpgsqlConnectionStringBuilder FromNpgsql(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's messages name the keyword, not the value; the text itself is not repeated (it may hold a password).
            throw new ArgumentException($"The registry location looks like a PostgreSQL connection string but does not parse: {KeywordsOnly(e.Message)}", e);
        }
    }

    private static string KeywordsOnly(string message) => message.Length > 200 ? message[..200] : message;

    // key=value pairs separated by spaces; a value may be single-quoted, with \' and \\ inside.
    private static bool TryLibpq(string text, out List<(string Key, string Value)> pairs)
    {
        pairs = [];
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length) return pairs.Count > 0;
            int keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i])) i++;
            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i == text.Length || text[i] != '=' || key.Length == 0) return false;
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                i++;
                while (true)
                {
                    if (i == text.Length) return false;
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    if (text[i] == '\'') { i++; break; }
                    value.Append(text[i++]);
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    value.Append(text[i++]);
                }
            }
            pairs.Add((key, value.ToString()));
        }
    }

    private static NpgsqlConnectionStringBuilder FromPairs(IEnumerable<(string Key, string Value)> pairs)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var (key, value) in pairs)
        {
            // libpq's keyword, else Npgsql's own (Username=, Database=, Pooling= ...), else an error.
            if (!Libpq.TryGetValue(key, out var name))
            {
                name = key;
                if (!new NpgsqlConnectionStringBuilder().ContainsKey(key))
                {
                    throw new ArgumentException($"The registry location looks like a PostgreSQL connection string but '{key}' is not a connection keyword.");
                }
            }
            if (name is null || value.Length == 0) continue;
            try
            {
                builder[name] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw new ArgumentException($"The connection keyword '{key}' has a value Npgsql does not accept ({(name == "Password" ? "value not shown" : e.Message)}).", e);
            }
        }
        return builder;
    }

    // postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?keyword=value&...]
    private static NpgsqlConnectionStringBuilder FromUri(string uri)
    {
        var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        int q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        string? database = null;
        int slash = rest.IndexOf('/');
        if (slash >= 0) { database = Uri.UnescapeDataString(rest[(slash + 1)..]); rest = rest[..slash]; }
        var pairs = new List<(string, string)>();
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            int colon = userInfo.IndexOf(':');
            pairs.Add(("user", Uri.UnescapeDataString(colon >= 0 ? userInfo[..colon] : userInfo)));
            if (colon >= 0) pairs.Add(("password", Uri.UnescapeDataString(userInfo[(colon + 1)..])));
        }
        if (rest.Length > 0)
        {
            var hosts = new List<string>();
            string? port = null;
            foreach (var part in rest.Split(','))
            {
                var host = part;
                string? p = null;
                int close = host.LastIndexOf(']');
                int colon = host.LastIndexOf(':');
                if (colon > close && !(host.StartsWith('[') && close < 0)) { p = host[(colon + 1)..]; host = host[..colon]; }
                host = Uri.UnescapeDataString(host.Trim('[', ']'));
                hosts.Add(p is null ? host : $"{host}:{p}");
                port ??= p;
            }
            // One host: Host and Port; several: Npgsql's "h1:p1,h2:p2".
            if (hosts.Count == 1 && port is not null) { pairs.Add(("host", hosts[0][..hosts[0].LastIndexOf(':')])); pairs.Add(("port", port)); }
            else pairs.Add(("host", string.Join(',', hosts)));
        }
        if (database is { Length: > 0 }) pairs.Add(("dbname", database));
        if (query is not null)
        {
            foreach (var item in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = item.IndexOf('=');
                if (equals <= 0) throw new ArgumentException($"The URI's parameter '{(item.Length > 40 ? item[..40] : item)}' has no value.");
                pairs.Add((Uri.UnescapeDataString(item[..equals]), Uri.UnescapeDataString(item[(equals + 1)..])));
            }
        }
        return FromPairs(pairs);
    }

    /// <summary>The connection string with passwords left out: what may be shown anywhere.</summary>
    internal static string Redact(NpgsqlConnectionStringBuilder builder)
    {
        var copy = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Password = null, SslPassword = null };
        return copy.ConnectionString;
    }
}
