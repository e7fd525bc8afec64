using System.Diagnostics;
using Microsoft.Data.Sqlite;
using OptOut.Core.Datasets;
using OptOut.Core.Index;
using Parquet;
using OptOut.Core.Urls;
using OptOut.Core.Storage;

namespace IndexBench;

/// <summary>Metadata (LAION parquet) and embedding (.npy) import through TrainingSetImporter, with baselines.</summary>
public static class ImportBench
{
    public const string ModelId = "bench:synthetic-clustered-512";

    public static Dictionary<string, object?> Metadata(string parquet, string work, int reps, bool engineOnly = false)
    {
        Directory.CreateDirectory(work);
        var result = new Dictionary<string, object?>();
        long fileBytes = Measure.FileSize(parquet);
        result["parquet_bytes"] = fileBytes;
        Measure.Warm(parquet);

        // Engine first, while the machine is least disturbed by our own garbage.
        var db = Path.Combine(work, "laion.db");
        var engine = new List<double>();
        var engineCpu = new List<double>();
        ImportSummary? summary = null;
        double close = 0;
        for (int r = 0; r < reps; r++)
        {
            (var seconds, var cpu, summary, close) = EngineImport(parquet, db, null);
            engine.Add(seconds);
            engineCpu.Add(cpu);
            Measure.Log($"engine metadata import: {summary.Rows:N0} rows in {seconds:F2} s ({summary.Rows / seconds:N0} rows/s)");
        }
        long rows = summary!.Rows;
        result["rows"] = rows;
        result["engine_import_s"] = engine.Select(s => Measure.Round(s)).ToList();
        result["engine_rows_per_s"] = Math.Round(rows / Measure.Median(engine));
        result["engine_cpu_s"] = engineCpu.Select(s => Measure.Round(s)).ToList();
        result["engine_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(engineCpu));
        result["engine_close_s"] = Measure.Round(close);
        result["db_bytes"] = Measure.DatabaseSize(db);
        result["db_path"] = db;
        result["column_types"] = ColumnTypes(db);
        result["import_memory"] = Measure.Memory();
        if (engineOnly) return result;

        // Baseline 1: Parquet.Net reading the same columns.
        var raw = Repeat(reps, () => RawParquetRead(parquet));
        result["parquet_read_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(lastCpu));
        result["parquet_read_s"] = Measure.Round(Measure.Median(raw));
        result["parquet_read_rows_per_s"] = Math.Round(rows / Measure.Median(raw));
        result["parquet_read_MB_per_s"] = Math.Round(fileBytes / 1e6 / Measure.Median(raw), 1);
        Measure.Log($"parquet read: {rows / Measure.Median(raw):N0} rows/s");

        // Component: the engine's reader alone (ParquetMetadataShard -> SourceRow).
        var reader = Repeat(reps, () => Measure.Drain(new ParquetMetadataShard(parquet).ReadRows(CancellationToken.None)));
        result["reader_rows_per_s"] = Math.Round(rows / Measure.Median(reader));
        result["reader_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(lastCpu));

        // Rows in memory for the SQLite baselines.
        var loaded = new ParquetMetadataShard(parquet).ReadRows(CancellationToken.None).ToList();
        var hashes = new long?[loaded.Count];
        var hosts = new string?[loaded.Count];
        var normalize = Repeat(reps, () =>
        {
            for (int i = 0; i < loaded.Count; i++)
            {
                var n = UrlNormalizer.Normalize(loaded[i].Url!);
                hashes[i] = UrlHash.Of(n.Url);
                hosts[i] = n.ReversedHost;
            }
        });
        result["url_normalize_rows_per_s"] = Math.Round(rows / Measure.Median(normalize));
        result["url_normalize_s"] = Measure.Round(Measure.Median(normalize));
        result["url_normalize_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(lastCpu));
        result["distinct_hosts"] = hosts.Distinct().Count();
        result["top_host_share"] = Math.Round(hosts.GroupBy(h => h).Max(g => g.Count()) / (double)rows, 4);
        result["mean_url_chars"] = Math.Round(loaded.Average(r => r.Url!.Length), 1);
        result["mean_caption_chars"] = Math.Round(loaded.Where(r => r.Caption is not null).Average(r => r.Caption!.Length), 1);

        // Baselines 2-5: plain SQLite inserts of the same rows from memory (one transaction, prepared, typed parameters).
        foreach (var (name, mode) in SqliteModes)
        {
            var path = Path.Combine(work, name + ".db");
            var times = Repeat(reps, () => PlainInsert(path, loaded, hashes, hosts, mode));
            result[name + "_rows_per_s"] = Math.Round(rows / Measure.Median(times));
            result[name + "_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(lastCpu));
            result[name + "_s"] = Measure.Round(Measure.Median(times));
            result[name + "_db_bytes"] = Measure.DatabaseSize(path);
            Measure.Log($"{name}: {rows / Measure.Median(times):N0} rows/s");
            Measure.DeleteDatabase(path);
        }
        return result;
    }

    public static Dictionary<string, object?> Embeddings(string folder, string work, int reps, bool engineOnly = false)
    {
        Directory.CreateDirectory(work);
        var result = new Dictionary<string, object?>();
        var npy = Path.Combine(folder, "img_emb", "img_emb_0.npy");
        var parquet = Path.Combine(folder, "metadata", "metadata_0.parquet");
        long npyBytes = Measure.FileSize(npy);
        result["npy_bytes"] = npyBytes;
        result["metadata_parquet_bytes"] = Measure.FileSize(parquet);
        Measure.Warm(npy);
        Measure.Warm(parquet);

        var db = Path.Combine(work, "clip.db");
        var engine = new List<double>();
        var engineCpu = new List<double>();
        ImportSummary? summary = null;
        double close = 0;
        for (int r = 0; r < reps; r++)
        {
            (var seconds, var cpu, summary, close) = EngineImport(folder, db, ModelId);
            engine.Add(seconds);
            engineCpu.Add(cpu);
            Measure.Log($"engine npy import: {summary.Rows:N0} rows in {seconds:F2} s ({npyBytes / 1e6 / seconds:N0} MB/s of .npy)");
        }
        long rows = summary!.Rows;
        result["rows"] = rows;
        result["engine_import_s"] = engine.Select(s => Measure.Round(s)).ToList();
        result["engine_MB_per_s"] = Math.Round(npyBytes / 1e6 / Measure.Median(engine), 1);
        result["engine_rows_per_s"] = Math.Round(rows / Measure.Median(engine));
        result["engine_cpu_s"] = engineCpu.Select(s => Measure.Round(s)).ToList();
        result["engine_rows_per_cpu_s"] = Math.Round(rows / Measure.Median(engineCpu));
        result["engine_close_s"] = Measure.Round(close);
        result["db_bytes"] = Measure.DatabaseSize(db);
        result["db_path"] = db;
        result["column_types"] = ColumnTypes(db);
        result["import_memory"] = Measure.Memory();
        if (engineOnly) return result;

        // Baseline: raw sequential read of the .npy (page cache warm, as for the import).
        var raw = Repeat(Math.Max(reps, 3), () =>
        {
            using var stream = new FileStream(npy, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var buffer = new byte[1 << 20];
            while (stream.Read(buffer) > 0) { }
        });
        result["raw_read_MB_per_s"] = Math.Round(npyBytes / 1e6 / Measure.Median(raw), 1);
        Measure.Log($"raw npy read: {npyBytes / 1e6 / Measure.Median(raw):N0} MB/s");

        // Components: NpyFile.ReadRows alone, and the joined clip-retrieval reader.
        var npyRows = Repeat(reps, () => { using var f = NpyFile.Open(npy); Measure.Drain(f.ReadRows()); });
        result["npy_reader_MB_per_s"] = Math.Round(npyBytes / 1e6 / Measure.Median(npyRows), 1);
        var part = Repeat(reps, () => Measure.Drain(new ClipRetrievalPart(parquet, npy).ReadRows(CancellationToken.None)));
        result["part_reader_MB_per_s"] = Math.Round(npyBytes / 1e6 / Measure.Median(part), 1);
        result["part_reader_rows_per_s"] = Math.Round(rows / Measure.Median(part));
        Measure.Log($"npy reader {npyBytes / 1e6 / Measure.Median(npyRows):N0} MB/s, part reader {npyBytes / 1e6 / Measure.Median(part):N0} MB/s");
        return result;
    }

    private static (double Seconds, double Cpu, ImportSummary Summary, double CloseSeconds) EngineImport(string source, string db, string? modelId)
    {
        Measure.DeleteDatabase(db);
        GC.Collect();
        var store = IndexStore.Open(db);
        int problems = 0;
        var importer = new TrainingSetImporter(store, null, modelId, e => { if (e is ImportProblem) problems++; });
        double cpu = Measure.ProcessCpuSeconds();
        var clock = Stopwatch.StartNew();
        var summary = importer.Import("bench", [source], CancellationToken.None);
        double seconds = clock.Elapsed.TotalSeconds;
        cpu = Measure.ProcessCpuSeconds() - cpu;
        double close = Measure.Seconds(store.Dispose);
        if (problems > 0 || summary.ShardsFailed > 0) throw new InvalidOperationException($"The import reported {problems} problems, {summary.ShardsFailed} failed shards.");
        return (seconds, cpu, summary, close);
    }

    private static Dictionary<string, object?> ColumnTypes(string db)
    {
        using var connection = SqliteSetup.Open(db, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof(key), typeof(url_hash), typeof(width), typeof(dataset_id), typeof(vector) FROM rows WHERE id = (SELECT min(id) FROM rows)";
        using var reader = command.ExecuteReader();
        reader.Read();
        return new() { ["key"] = reader.GetString(0), ["url_hash"] = reader.GetString(1), ["width"] = reader.GetString(2), ["dataset_id"] = reader.GetString(3), ["vector"] = reader.GetString(4) };
    }

    private static List<double> lastCpu = new();

    /// <summary>Wall seconds of each run; their process-CPU seconds are left in <see cref="lastCpu"/>.</summary>
    private static List<double> Repeat(int reps, Action action)
    {
        var times = new List<double>();
        lastCpu = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            GC.Collect();
            var (wall, cpu) = Measure.Timed(action);
            times.Add(wall);
            lastCpu.Add(cpu);
        }
        return times;
    }

    private static void RawParquetRead(string path)
    {
        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            var fields = reader.Schema.GetDataFields();
            var id = fields.First(f => f.Name == "SAMPLE_ID");
            var url = fields.First(f => f.Name == "URL");
            var text = fields.First(f => f.Name == "TEXT");
            var width = fields.First(f => f.Name == "WIDTH");
            var height = fields.First(f => f.Name == "HEIGHT");
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int n = checked((int)group.RowCount);
                group.ReadAsync(id, new long[n].AsMemory()).AsTask().GetAwaiter().GetResult();
                group.ReadAsync(url, new string[n].AsMemory()).AsTask().GetAwaiter().GetResult();
                group.ReadAsync(text, new string[n].AsMemory()).AsTask().GetAwaiter().GetResult();
                group.ReadAsync(width, new long[n].AsMemory()).AsTask().GetAwaiter().GetResult();
                group.ReadAsync(height, new long[n].AsMemory()).AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Flags]
    private enum Sql { Plain = 0, Indexes = 1, Fts = 2, BigCache = 4, Deferred = 8, TextParameters = 16, FtsBuffer = 32 }

    /// <summary>
    /// The SQLite work of an import without the engine around it: the same rows and columns, typed
    /// parameters, one transaction. Indexes/Fts add the engine's B-tree indexes and FTS5 table;
    /// BigCache raises the page cache to 1 GiB; Deferred builds indexes and FTS after the inserts;
    /// TextParameters declares every parameter SqliteType.Text, as IndexStore.ImportShard once did;
    /// FtsBuffer gives FTS5 the engine's 64 MiB term buffer ('hashsize', IndexStore.CaptionHashBytes).
    /// </summary>
    private static readonly (string Name, Sql Mode)[] SqliteModes =
    [
        ("sqlite_plain", Sql.Plain),
        ("sqlite_indexes", Sql.Indexes),
        ("sqlite_fts", Sql.Fts),
        ("sqlite_indexes_fts", Sql.Indexes | Sql.Fts),
        ("sqlite_indexes_fts_textparams", Sql.Indexes | Sql.Fts | Sql.TextParameters),
        ("sqlite_indexes_fts_bigcache", Sql.Indexes | Sql.Fts | Sql.BigCache),
        ("sqlite_indexes_fts_deferred", Sql.Indexes | Sql.Fts | Sql.Deferred),
        ("sqlite_indexes_fts_deferred_bigcache", Sql.Indexes | Sql.Fts | Sql.Deferred | Sql.BigCache),
        // The engine's SQL: indexes and captions after the rows, with its FTS5 term buffer.
        ("sqlite_indexes_fts_deferred_ftsbuffer", Sql.Indexes | Sql.Fts | Sql.Deferred | Sql.FtsBuffer),
    ];

    private static void PlainInsert(string path, List<SourceRow> rows, long?[] hashes, string?[] hosts, Sql mode)
    {
        bool indexes = mode.HasFlag(Sql.Indexes), fts = mode.HasFlag(Sql.Fts), deferred = mode.HasFlag(Sql.Deferred);
        Measure.DeleteDatabase(path);
        using var connection = SqliteSetup.Open(path);
        if (mode.HasFlag(Sql.BigCache)) SqliteSetup.Execute(connection, "PRAGMA cache_size = -1048576");
        SqliteSetup.Execute(connection, """
            CREATE TABLE rows(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, shard_id INTEGER NOT NULL, key TEXT, url TEXT,
                url_hash INTEGER, host_rev TEXT, caption TEXT, width INTEGER, height INTEGER);
            """);
        const string createIndexes = "CREATE INDEX rows_url ON rows(url_hash); CREATE INDEX rows_host ON rows(host_rev);";
        const string createFts = "CREATE VIRTUAL TABLE captions USING fts5(caption, content='rows', content_rowid='id', tokenize='unicode61 remove_diacritics 2');";
        if (indexes && !deferred) SqliteSetup.Execute(connection, createIndexes);
        if (fts && !deferred) SqliteSetup.Execute(connection, createFts);
        fts &= !deferred;
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO rows(dataset_id, shard_id, key, url, url_hash, host_rev, caption, width, height) VALUES (1, 1, $key, $url, $hash, $host, $caption, $width, $height)";
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var url = insert.Parameters.Add("$url", SqliteType.Text);
        var integer = mode.HasFlag(Sql.TextParameters) ? SqliteType.Text : SqliteType.Integer;
        var hash = insert.Parameters.Add("$hash", integer);
        var host = insert.Parameters.Add("$host", SqliteType.Text);
        var caption = insert.Parameters.Add("$caption", SqliteType.Text);
        var width = insert.Parameters.Add("$width", integer);
        var height = insert.Parameters.Add("$height", integer);
        insert.Prepare();
        using var insertCaption = connection.CreateCommand();
        insertCaption.Transaction = transaction;
        insertCaption.CommandText = "INSERT INTO captions(rowid, caption) VALUES (last_insert_rowid(), $caption)";
        var captionText = insertCaption.Parameters.Add("$caption", SqliteType.Text);
        if (fts) insertCaption.Prepare();
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            key.Value = (object?)row.Key ?? DBNull.Value;
            url.Value = (object?)row.Url ?? DBNull.Value;
            hash.Value = (object?)hashes[i] ?? DBNull.Value;
            host.Value = (object?)hosts[i] ?? DBNull.Value;
            caption.Value = (object?)row.Caption ?? DBNull.Value;
            width.Value = (object?)row.Width ?? DBNull.Value;
            height.Value = (object?)row.Height ?? DBNull.Value;
            insert.ExecuteNonQuery();
            if (fts && !string.IsNullOrEmpty(row.Caption))
            {
                captionText.Value = row.Caption;
                insertCaption.ExecuteNonQuery();
            }
        }
        if (deferred)
        {
            if (mode.HasFlag(Sql.Indexes)) SqliteSetup.Execute(connection, createIndexes, transaction);
            if (mode.HasFlag(Sql.Fts))
            {
                SqliteSetup.Execute(connection, createFts, transaction);
                if (mode.HasFlag(Sql.FtsBuffer))
                {
                    SqliteSetup.Execute(connection, $"INSERT INTO captions(captions, rank) VALUES ('hashsize', {IndexStore.CaptionHashBytes})", transaction);
                }
                SqliteSetup.Execute(connection, "INSERT INTO captions(captions) VALUES ('rebuild')", transaction);
            }
        }
        transaction.Commit();
    }
}
