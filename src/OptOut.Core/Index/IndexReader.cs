using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using OptOut.Core.Storage;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>
/// Reads an open index's rows: by id, URL, domain and hash, their fingerprints for the hash index,
/// their stored local features, and the datasets. Captions are searched by <see cref="CaptionSearch"/>,
/// embeddings read through <see cref="IndexVectorFile"/>; writing is <see cref="IndexWriter"/>'s.
/// </summary>
internal sealed class IndexReader(SqliteConnection connection)
{
    private const string RowColumns = "r.id, d.name, r.key, r.url, r.caption, r.width, r.height, r.sha256, r.md5, r.phash, r.vector IS NOT NULL, "
        + "p.path, r.image_member, r.image_offset, r.image_length";

    private const string RowTables = "rows r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN image_places p ON p.id = r.image_place";

    /// <summary>The id of a dataset, or null when the index has none of that name.</summary>
    public long? DatasetId(string name) =>
        SqliteSetup.Scalar<long?>(connection, "SELECT id FROM datasets WHERE name = $n", null, ("$n", name));

    private static Datasets.ImageLocation? ReadImage(SqliteDataReader reader, int at)
    {
        if (reader.IsDBNull(at) || reader.IsDBNull(at + 1)) return null;
        var place = reader.GetString(at);
        var member = reader.GetString(at + 1);
        return reader.IsDBNull(at + 2)
            ? new Datasets.ImageLocation(System.IO.Path.Combine(place, member))
            : new Datasets.ImageLocation(place, member, reader.GetInt64(at + 2), reader.GetInt64(at + 3));
    }

    private static IndexedRow ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetInt32(5),
        reader.IsDBNull(6) ? null : reader.GetInt32(6),
        reader.IsDBNull(7) ? null : (byte[])reader[7],
        reader.IsDBNull(8) ? null : (byte[])reader[8],
        reader.IsDBNull(9) ? null : unchecked((ulong)reader.GetInt64(9)),
        reader.GetBoolean(10),
        ReadImage(reader, 11));

    private IEnumerable<IndexedRow> Query(string where, string? orderBy, string? dataset, int? limit, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {RowColumns} FROM {RowTables} WHERE ({where})");
        if (dataset is not null)
        {
            sql.Append(" AND d.name = $dataset");
            command.Parameters.AddWithValue("$dataset", dataset);
        }
        if (orderBy is not null) sql.Append(" ORDER BY ").Append(orderBy);
        if (limit is not null) sql.Append(" LIMIT ").Append(limit.Value.ToString(CultureInfo.InvariantCulture));
        command.CommandText = sql.ToString();
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return ReadRow(reader);
    }

    public IReadOnlyList<IndexedRow> GetRows(IReadOnlyCollection<long> ids, string? dataset = null)
    {
        var result = new List<IndexedRow>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            result.AddRange(Query($"r.id IN ({string.Join(',', chunk)})", "r.id", dataset, null));
        }
        return result;
    }

    /// <summary>Rows whose URL normalises to the same address.</summary>
    public IEnumerable<IndexedRow> FindByUrl(string url, string? dataset, int? limit)
    {
        var normalized = UrlNormalizer.Normalize(url).Url;
        return Query("r.url_hash = $h", "r.id", dataset, null, ("$h", UrlHash.Of(normalized)))
            .Where(r => r.Url is not null && UrlNormalizer.Normalize(r.Url).Url == normalized)
            .Take(limit ?? int.MaxValue);
    }

    /// <summary>Rows whose host is the domain or one of its subdomains.</summary>
    public IEnumerable<IndexedRow> FindByDomain(string domain, string? dataset, int? limit)
    {
        var reversed = UrlNormalizer.ReverseHost(UrlNormalizer.NormalizeDomain(domain));
        // '/' sorts right after '.', so [rev + '.', rev + '/') is exactly the subdomains.
        return Query("r.host_rev = $d OR (r.host_rev >= $lo AND r.host_rev < $hi)", "r.id", dataset, limit,
            ("$d", reversed), ("$lo", reversed + "."), ("$hi", reversed + "/"));
    }

    public IEnumerable<IndexedRow> FindBySha256(byte[] sha256, string? dataset) =>
        Query("r.sha256 = $h", "r.id", dataset, null, ("$h", sha256));

    public IEnumerable<IndexedRow> FindByMd5(byte[] md5, string? dataset) =>
        Query("r.md5 = $h", "r.id", dataset, null, ("$h", md5));

    /// <summary>(row id, perceptual hash) of every fingerprinted row, for the hash index.</summary>
    public IEnumerable<(long Id, ulong Hash)> AllPerceptualHashes()
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, phash FROM rows WHERE phash IS NOT NULL ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return (reader.GetInt64(0), unchecked((ulong)reader.GetInt64(1)));
    }

    /// <summary>
    /// The stored local features of a few rows (candidates about to be verified), as the bytes the
    /// import stored; rows without (none stored, or an index written before they were) are absent.
    /// </summary>
    public Dictionary<long, byte[]> GetLocalFeatures(IReadOnlyCollection<long> ids) => StoredLocalFeatures.Read(connection, ids);

    /// <summary>The datasets, by name; <paramref name="model"/> is the index's, named on those with embeddings.</summary>
    public IReadOnlyList<DatasetInfo> ListDatasets(string? model)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.name, d.created_at,
                   (SELECT count(*) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(rows), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(fingerprinted), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT coalesce(sum(skipped), 0) FROM shards s WHERE s.dataset_id = d.id),
                   (SELECT count(*) FROM rows r WHERE r.dataset_id = d.id AND r.vector IS NOT NULL)
            FROM datasets d ORDER BY d.name
            """;
        using var reader = command.ExecuteReader();
        var result = new List<DatasetInfo>();
        while (reader.Read())
        {
            long withEmbedding = reader.GetInt64(6);
            result.Add(new DatasetInfo(reader.GetString(0), reader.GetInt64(3), reader.GetInt64(2), reader.GetInt64(4), withEmbedding,
                reader.GetInt64(5), withEmbedding > 0 ? model : null,
                DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }
        return result;
    }
}
