using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Storage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OptOut.Core.Gate;

/// <summary>
/// The turned views of refused pictures (<c>ContentPictures.AddTurnedViews</c>), kept between gate runs in a
/// SQLite file of their own, so that a gate turns each claimant's picture once rather than at every start (two
/// model runs a claim). Keyed by the picture's SHA-256 and a stamp of how views are made (<see cref="StampOf"/>):
/// a probe picture decoded, turned and embedded by the same fingerprinter, so a change to the model, its
/// preprocessing, the decoder, the shrinking, the turns or the hash gives another stamp and old entries are never
/// read (and a hand-raised version backs it up). Derived data only:
/// deleting the file costs the next gate the turns, nothing else. A file that is not the cache's is never
/// written, and a cache that cannot be opened, read or written is left alone (<see cref="Problem"/> says why):
/// the views are then made as without it. The file is opened on first use.
/// </summary>
internal sealed class TurnedViewCache : IDisposable
{
    // application_id of the file ("OTVC"): another SQLite file given as the cache is refused untouched.
    private const int ApplicationId = 0x4F545643;
    private const int SchemaVersion = 1;
    // A locked cache (another gate writing it) is waited for this long, then left alone: it only saves time.
    private const int BusyMilliseconds = 5_000;
    // Entries of another stamp (an older module or another model) made longer ago than this are removed when
    // the cache is written, so upgrades do not make it grow for ever; a model in use keeps its own.
    private static readonly TimeSpan KeepOtherStamps = TimeSpan.FromDays(30);
    private static readonly string[] SideFiles = ["-wal", "-shm", "-journal"];

    private SqliteConnection? connection;
    private bool opened;

    /// <param name="path">The cache file (<see cref="OptOutPaths.TurnedViewCachePath"/> for the module's).</param>
    public TurnedViewCache(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>Why the cache is not used (not opened, or a read or write failed), else null.</summary>
    public string? Problem { get; private set; }

    /// <summary>True when <see cref="Problem"/> is a file at <see cref="Path"/> that is not a usable cache (someone else's, damaged, another version), worth telling its owner; false for a cache that could not be reached (a read-only home, a lock).</summary>
    public bool FileRefused { get; private set; }

    // Raised by hand when views are made differently in a way the probe might not show: a backstop to the stamp.
    private const int ViewsVersion = 1;

    /// <summary>
    /// What views made by <paramref name="turning"/> depend on, as a short key: its model id and angles, and a probe
    /// picture (drawn here, larger than every size views are made at, on a border, as a JPEG with an orientation tag)
    /// decoded, oriented, cut to its content, shrunk, turned, hashed and embedded exactly as a claim's picture is.
    /// Embeddings are compared bit for bit: a runtime that does not repeat itself exactly gives misses, never stale views.
    /// </summary>
    public static string StampOf(Fingerprinter turning)
    {
        ArgumentNullException.ThrowIfNull(turning);
        // Under the default limits: a check's own (a small -MaxPixels) bound its pictures, not how views are made.
        var probe = new Fingerprinter(turning.Model, Imaging.ImageLimits.Default) { ViewAngles = turning.ViewAngles, ViewCentreCuts = turning.ViewCentreCuts };
        var prepared = probe.Prepare("turned-view probe", ProbePicture());
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"views-v{ViewsVersion}|{turning.Model.ModelId}|{string.Join(',', turning.ViewAngles.Select(a => BitConverter.SingleToInt32Bits(a)))}|{string.Join(',', turning.ViewCentreCuts.Select(c => BitConverter.SingleToInt32Bits(c)))}|"));
        foreach (var view in prepared.Views ?? [])
        {
            hash.AppendData(Encode([new ImageView(view.PerceptualHash, turning.Model.Embed(view.ModelInput))]));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..32];
    }

    /// <summary>
    /// <see cref="StampOf"/>, or null when the probe cannot be made here (the cache is then not used, and
    /// <see cref="Problem"/> says why): a failure the fresh turns will meet and report themselves.
    /// </summary>
    public string? TryStamp(Fingerprinter turning)
    {
        try
        {
            return StampOf(turning);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Abandon($"the turned-view cache '{Path}' is not used: its probe picture could not be turned ({e.Message})", fileRefused: false);
            return null;
        }
    }

    // A picture with edges in every direction and colour inside a plain border (which the content box cuts away),
    // 720 x 540 so that it is shrunk before turning as a claim's picture is, stored as a JPEG turned a quarter by
    // its EXIF orientation (which the decoder undoes). Drawn by formula: the same bytes wherever the encoder is the same.
    internal static byte[] ProbePicture()
    {
        using var image = new Image<Rgb24>(720, 540);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    bool border = x < 60 || y < 45 || x >= 660 || y >= 495;
                    bool disc = (x - 250) * (x - 250) + (y - 270) * (y - 270) < 120 * 120;
                    bool bars = x > 420 && x < 620 && y > 100 && y < 440 && (x + 2 * y) % 48 < 22;
                    row[x] = border ? new Rgb24(255, 255, 255)
                        : disc ? new Rgb24(200, (byte)(40 + y / 8), 30)
                        : bars ? new Rgb24(20, 60, (byte)(80 + y / 4))
                        : new Rgb24((byte)(250 - x / 4), (byte)(240 - y / 4), 220);
                }
            }
        });
        image.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
        image.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation, (ushort)6);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }

    /// <summary>
    /// The cached views of each picture of <paramref name="sha256s"/> (hex, any case) under <paramref name="stamp"/>,
    /// embeddings of <paramref name="dimensions"/> values; pictures not cached, or cached unreadably, are left out.
    /// </summary>
    public IReadOnlyDictionary<string, CachedViews> Find(IEnumerable<string> sha256s, string stamp, int dimensions)
    {
        var found = new Dictionary<string, CachedViews>(StringComparer.OrdinalIgnoreCase);
        if (Connection() is not { } db) return found;
        try
        {
            using var command = db.CreateCommand();
            command.CommandText = "SELECT width, height, views FROM turned_views WHERE sha256 = $sha AND stamp = $stamp";
            var sha = command.Parameters.Add("$sha", SqliteType.Text);
            command.Parameters.AddWithValue("$stamp", stamp);
            foreach (var key in sha256s.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                sha.Value = key.ToUpperInvariant();
                using var reader = command.ExecuteReader();
                if (!reader.Read()) continue;
                // Columns read by type test, not cast: a damaged entry is a miss, made again and replaced.
                if (reader.GetValue(0) is long width && reader.GetValue(1) is long height && width is > 0 and <= int.MaxValue && height is > 0 and <= int.MaxValue
                    && reader.GetValue(2) is byte[] bytes && Decode(bytes, dimensions) is { } views)
                {
                    found[key] = new CachedViews((int)width, (int)height, views);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Derived data: whatever goes wrong reading it costs the turns, never the check.
            Abandon($"the turned-view cache '{Path}' cannot be read ({e.Message})", fileRefused: e is SqliteException { SqliteErrorCode: 11 or 26 });
            found.Clear();
        }
        return found;
    }

    /// <summary>Keeps <paramref name="made"/> (SHA-256 -> the picture's size and views) under <paramref name="stamp"/>, replacing older entries of the same key.</summary>
    public void Store(IReadOnlyDictionary<string, CachedViews> made, string stamp)
    {
        if (made.Count == 0 || Connection() is not { } db) return;
        try
        {
            using var transaction = db.BeginTransaction();
            using var command = db.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO turned_views (sha256, stamp, width, height, views, made_utc)
                VALUES ($sha, $stamp, $width, $height, $views, $made)
                """;
            var sha = command.Parameters.Add("$sha", SqliteType.Text);
            command.Parameters.AddWithValue("$stamp", stamp);
            var width = command.Parameters.Add("$width", SqliteType.Integer);
            var height = command.Parameters.Add("$height", SqliteType.Integer);
            var views = command.Parameters.Add("$views", SqliteType.Blob);
            var now = DateTime.UtcNow;
            command.Parameters.AddWithValue("$made", Utc(now));
            foreach (var (key, entry) in made)
            {
                sha.Value = key.ToUpperInvariant();
                width.Value = entry.Width;
                height.Value = entry.Height;
                views.Value = Encode(entry.Views);
                command.ExecuteNonQuery();
            }
            using var prune = db.CreateCommand();
            prune.Transaction = transaction;
            prune.CommandText = "DELETE FROM turned_views WHERE stamp <> $stamp AND made_utc < $cutoff";
            prune.Parameters.AddWithValue("$stamp", stamp);
            prune.Parameters.AddWithValue("$cutoff", Utc(now - KeepOtherStamps));
            prune.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Abandon($"the turned-view cache '{Path}' cannot be written ({e.Message})", fileRefused: e is SqliteException { SqliteErrorCode: 11 or 26 });
        }
    }

    /// <inheritdoc />
    public void Dispose() => connection?.Dispose();

    private static string Utc(DateTime time) => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private void Abandon(string problem, bool fileRefused)
    {
        Problem ??= problem;
        FileRefused |= fileRefused;
        connection?.Dispose();
        connection = null;
    }

    // Opened on first use. An existing file is looked at before SQLite writes anything to it: only a file marked
    // as this cache (of this schema), or an empty one, is opened for writing.
    private SqliteConnection? Connection()
    {
        if (opened) return connection;
        opened = true;
        try
        {
            var info = new FileInfo(Path);
            bool created = !info.Exists || info.Length == 0;
            if (!created && Refusal(info) is { } refusal)
            {
                Abandon($"'{Path}' is not a turned-view cache of this version ({refusal}); it is left untouched, and refused pictures are turned afresh at each check until it is moved away", fileRefused: true);
                return null;
            }
            // Rollback journal, never WAL: the header then always tells whose file it is (Refusal).
            connection = SqliteSetup.Open(Path, journalModeWal: false, busyTimeoutMilliseconds: BusyMilliseconds);
            if (SqliteSetup.Scalar<long>(connection, "PRAGMA application_id") == 0)
            {
                // New or empty: marked and given its table in one transaction, so a crash cannot leave a marked file without it.
                using var transaction = connection.BeginTransaction();
                SqliteSetup.Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
                SqliteSetup.Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
                SqliteSetup.Execute(connection, """
                    CREATE TABLE IF NOT EXISTS turned_views (
                        sha256 TEXT NOT NULL,
                        stamp TEXT NOT NULL,
                        width INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        views BLOB NOT NULL,
                        made_utc TEXT NOT NULL,
                        PRIMARY KEY (sha256, stamp)
                    ) WITHOUT ROWID
                    """, transaction);
                transaction.Commit();
            }
            return connection;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Abandon($"the turned-view cache '{Path}' cannot be used ({e.Message})", fileRefused: e is SqliteException { SqliteErrorCode: 11 or 26 });
            return null;
        }
    }

    // Why an existing file is not this cache, else null. Looked at before SQLite opens it for writing (which could
    // change a foreign file's journal): its header, which for the cache (never in WAL mode) is always current, then,
    // for an unmarked file only, read-only, its tables. The cache's own hot journal (a gate killed while writing) is
    // rolled back by the writing connection that follows; an unmarked file with journal files beside it is refused.
    private string? Refusal(FileInfo info)
    {
        var header = new byte[100];
        using (var stream = info.Open(FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length) return "too short to be a SQLite database";
        }
        if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8)) return "not a SQLite database";
        if (header[18] != 1 || header[19] != 1) return "a database in WAL mode";
        int userVersion = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(60));
        int applicationId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(68));
        if (applicationId == ApplicationId) return userVersion == SchemaVersion ? null : $"schema {userVersion}, this module reads {SchemaVersion}";
        if (applicationId != 0) return $"another program's database (application_id {applicationId})";
        if (userVersion != 0) return $"another program's database (user_version {userVersion})";
        if (SideFiles.Any(side => File.Exists(Path + side))) return "a database with journal files beside it";
        // Unmarked: only an empty database (made by SQLite, nothing in it yet) is taken over.
        using var look = SqliteSetup.Open(Path, readOnly: true, busyTimeoutMilliseconds: BusyMilliseconds);
        return SqliteSetup.Scalar<long>(look, "SELECT count(*) FROM sqlite_master") == 0 ? null : "another program's database";
    }

    // Little-endian: a view count, then per view its perceptual hash, its value count and the values.
    internal static byte[] Encode(IReadOnlyList<ImageView> views)
    {
        int size = 4 + views.Sum(v => 12 + 4 * v.Embedding.Length);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, views.Count);
        int at = 4;
        foreach (var view in views)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], view.PerceptualHash);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 8)..], view.Embedding.Length);
            at += 12;
            foreach (var value in view.Embedding)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[at..], value);
                at += 4;
            }
        }
        return bytes;
    }

    // Null for an entry that is not what Encode wrote for this model's vectors (damaged, or another length).
    internal static IReadOnlyList<ImageView>? Decode(byte[] bytes, int dimensions)
    {
        var span = bytes.AsSpan();
        if (span.Length < 4 || dimensions < 1) return null;
        int count = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (count < 1 || (long)count * (12 + 4L * dimensions) != span.Length - 4) return null;
        var views = new List<ImageView>(count);
        int at = 4;
        for (int i = 0; i < count; i++)
        {
            ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(span[at..]);
            if (BinaryPrimitives.ReadInt32LittleEndian(span[(at + 8)..]) != dimensions) return null;
            at += 12;
            var embedding = new float[dimensions];
            for (int j = 0; j < dimensions; j++, at += 4)
            {
                embedding[j] = BinaryPrimitives.ReadSingleLittleEndian(span[at..]);
                if (!float.IsFinite(embedding[j])) return null;
            }
            views.Add(new ImageView(hash, embedding));
        }
        return views;
    }
}
