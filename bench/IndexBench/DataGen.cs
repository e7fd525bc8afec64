using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace IndexBench;

/// <summary>Deterministic inputs: a LAION-schema metadata parquet and a clip-retrieval part (npy + parquet).</summary>
public static class DataGen
{
    public const ulong TextSeed = 20240611;
    private const ulong LaionStream = 1, ClipStream = 2;
    public const int RowGroupRows = 100_000;

    /// <summary>Bumped whenever generation changes, so cached inputs are regenerated.</summary>
    public const string Version = "v4";

    private static TextGen? text;
    public static TextGen Text => text ??= new TextGen(TextSeed);

    public sealed record LaionRow(long SampleId, string Url, string? Text, long Width, long Height, string License, string Nsfw, double Similarity);

    public static LaionRow Laion(long row)
    {
        var rng = new Rng(Rng.Derive(LaionStream, row));
        var (caption, words) = Text.Caption(rng);
        var url = Text.Url(rng, words);
        var (w, h) = Dimensions(rng);
        return new LaionRow(
            SampleId: 2_000_000_000L + row * 7 + rng.Next(7),
            Url: url,
            Text: rng.Chance(0.001) ? null : caption,
            Width: w, Height: h,
            License: rng.Chance(0.96) ? "?" : rng.Pick(["by", "by-sa", "by-nc", "by-nc-sa", "by-nd", "cc0"]),
            Nsfw: rng.NextDouble() switch { < 0.90 => "UNLIKELY", < 0.97 => "UNSURE", _ => "NSFW" },
            Similarity: 0.28 + 0.2 * Math.Pow(rng.NextDouble(), 1.6));
    }

    private static (long, long) Dimensions(Rng rng)
    {
        long w = rng.Pick([256L, 300, 400, 500, 600, 640, 736, 800, 1000, 1024, 1200, 1280, 1500, 1600, 1920, 2000, 3000]);
        double aspect = rng.Pick([1.0, 0.75, 1.333, 0.667, 1.5, 0.5625, 1.778, 1.25]);
        return (w, Math.Max(64, (long)(w / aspect)));
    }

    /// <summary>The LAION metadata schema the generated shards use (upper-case, as Hugging Face exports it).</summary>
    public static ParquetSchema LaionSchema() => new(
        new DataField<long>("SAMPLE_ID"), new DataField<string>("URL"), new DataField<string>("TEXT"),
        new DataField<long>("HEIGHT"), new DataField<long>("WIDTH"), new DataField<string>("LICENSE"),
        new DataField<string>("NSFW"), new DataField<double>("similarity"));

    /// <summary>Writes one row group of <see cref="LaionSchema"/> rows.</summary>
    public static void WriteLaionGroup(ParquetWriter writer, ParquetSchema schema, LaionRow[] data)
    {
        var f = schema.GetDataFields();
        using var group = writer.CreateRowGroup();
        group.WriteAsync(f[0], (ReadOnlyMemory<long>)data.Select(r => r.SampleId).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[1], data.Select(r => (string?)r.Url).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[2], data.Select(r => r.Text).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[3], (ReadOnlyMemory<long>)data.Select(r => r.Height).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[4], (ReadOnlyMemory<long>)data.Select(r => r.Width).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[5], data.Select(r => (string?)r.License).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[6], data.Select(r => (string?)r.Nsfw).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[7], (ReadOnlyMemory<double>)data.Select(r => r.Similarity).ToArray()).GetAwaiter().GetResult();
    }

    public static void WriteLaionParquet(string path, int rows)
    {
        var schema = LaionSchema();
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
            for (int start = 0; start < rows; start += RowGroupRows)
            {
                int n = Math.Min(RowGroupRows, rows - start);
                var data = new LaionRow[n];
                Parallel.For(0, n, i => data[i] = Laion(start + i));
                WriteLaionGroup(writer, schema, data);
            }
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// A clip-retrieval part: img_emb/img_emb_0.npy (float16 [rows, 512]) aligned with
    /// metadata/metadata_0.parquet (clip-retrieval's lower-case columns).
    /// </summary>
    public static void WriteClipPart(string folder, int rows, EmbeddingGen embeddings)
    {
        Directory.CreateDirectory(Path.Combine(folder, "img_emb"));
        Directory.CreateDirectory(Path.Combine(folder, "metadata"));
        var npyPath = Path.Combine(folder, "img_emb", "img_emb_0.npy");
        var parquetPath = Path.Combine(folder, "metadata", "metadata_0.parquet");

        var schema = new ParquetSchema(
            new DataField<string>("image_path"), new DataField<string>("caption"), new DataField<string>("NSFW"),
            new DataField<double>("similarity"), new DataField<string>("LICENSE"), new DataField<string>("url"),
            new DataField<string>("key"), new DataField<string>("status"), new DataField<long>("width"), new DataField<long>("height"),
            new DataField<long>("original_width"), new DataField<long>("original_height"), new DataField<string>("exif"), new DataField<string>("md5"));
        var f = schema.GetDataFields();
        using (var stream = File.Create(parquetPath + ".tmp"))
        {
            var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
            for (int start = 0; start < rows; start += RowGroupRows)
            {
                int n = Math.Min(RowGroupRows, rows - start);
                var data = new (LaionRow Row, string Key, string Md5)[n];
                Parallel.For(0, n, i =>
                {
                    long r = start + i;
                    var row = Laion(1_000_000_000L + r);  // other rows than the metadata parquet's
                    var rng = new Rng(Rng.Derive(ClipStream, r));
                    var md5 = new StringBuilder(32);
                    for (int b = 0; b < 16; b++) md5.Append(((byte)rng.Next(256)).ToString("x2", CultureInfo.InvariantCulture));
                    data[i] = (row, $"{r / 10_000:00000}{r % 10_000:0000}", md5.ToString());
                });
                using var group = writer.CreateRowGroup();
                group.WriteAsync(f[0], data.Select(d => (string?)$"{d.Key[..5]}/{d.Key}.jpg").ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[1], data.Select(d => d.Row.Text).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[2], data.Select(d => (string?)d.Row.Nsfw).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[3], (ReadOnlyMemory<double>)data.Select(d => d.Row.Similarity).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[4], data.Select(d => (string?)d.Row.License).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[5], data.Select(d => (string?)d.Row.Url).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[6], data.Select(d => (string?)d.Key).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[7], data.Select(d => (string?)"success").ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[8], (ReadOnlyMemory<long>)data.Select(d => Math.Min(d.Row.Width, 256L)).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[9], (ReadOnlyMemory<long>)data.Select(d => Math.Min(d.Row.Height, 256L)).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[10], (ReadOnlyMemory<long>)data.Select(d => d.Row.Width).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[11], (ReadOnlyMemory<long>)data.Select(d => d.Row.Height).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[12], data.Select(d => (string?)null).ToArray()).GetAwaiter().GetResult();
                group.WriteAsync(f[13], data.Select(d => (string?)d.Md5).ToArray()).GetAwaiter().GetResult();
            }
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        using (var npy = File.Create(npyPath + ".tmp"))
        {
            int dims = embeddings.Dimensions;
            var header = $"{{'descr': '<f2', 'fortran_order': False, 'shape': ({rows}, {dims}), }}";
            int total = 10 + header.Length + 1;
            header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
            npy.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            npy.Write(BitConverter.GetBytes((ushort)header.Length));
            npy.Write(Encoding.Latin1.GetBytes(header));
            const int chunk = 16_384;
            var buffer = new Half[chunk * dims];
            for (int start = 0; start < rows; start += chunk)
            {
                int n = Math.Min(chunk, rows - start);
                Parallel.For(0, n, () => new float[dims], (i, _, scratch) =>
                {
                    embeddings.Row(start + i, scratch);
                    var target = buffer.AsSpan(i * dims, dims);
                    for (int d = 0; d < dims; d++) target[d] = (Half)scratch[d];
                    return scratch;
                }, _ => { });
                npy.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan(0, n * dims)));
            }
        }
        File.Move(parquetPath + ".tmp", parquetPath, overwrite: true);
        File.Move(npyPath + ".tmp", npyPath, overwrite: true);
    }
}

/// <summary>
/// Clustered unit vectors, CLIP-like: a shared mean direction (embeddings are anisotropic), 1,000
/// cluster centres with Zipf-skewed sizes, spread inside a cluster mostly along a 64-direction
/// subspace with decaying variance (low intrinsic dimension) plus an isotropic residual; normalised.
/// Row r is a pure function of r, so queries can regenerate any row.
/// </summary>
public sealed class EmbeddingGen
{
    public const ulong Seed = 77;
    private const ulong RowStream = 3, QueryStream = 4;
    private const int Clusters = 1000, Basis = 64;

    private readonly float[][] centres;
    private readonly float[] spread;
    private readonly float[][] basis;
    private readonly float[] basisScale;
    private readonly Zipf clusterSizes;

    public EmbeddingGen(int dimensions = 512)
    {
        Dimensions = dimensions;
        var rng = new Rng(Seed);
        var mean = UnitRandom(rng, dimensions);
        centres = new float[Clusters][];
        spread = new float[Clusters];
        for (int k = 0; k < Clusters; k++)
        {
            var u = UnitRandom(rng, dimensions);
            for (int d = 0; d < dimensions; d++) u[d] = 0.55f * mean[d] + u[d];
            Normalize(u);
            centres[k] = u;
            spread[k] = (float)(0.55 + 0.4 * rng.NextDouble());
        }
        basis = new float[Basis][];
        basisScale = new float[Basis];
        double total = 0;
        for (int i = 0; i < Basis; i++) { basis[i] = UnitRandom(rng, dimensions); basisScale[i] = (float)(1 / Math.Sqrt(1 + i)); total += basisScale[i] * basisScale[i]; }
        for (int i = 0; i < Basis; i++) basisScale[i] /= (float)Math.Sqrt(total);
        clusterSizes = new Zipf(Clusters, 0.7, 20);
    }

    public int Dimensions { get; }

    public void Row(long row, Span<float> output) => Generate(new Rng(Rng.Derive(RowStream, row)), output);

    private void Generate(Rng rng, Span<float> output)
    {
        int k = clusterSizes.Sample(rng);
        float t = spread[k];
        var centre = centres[k];
        float iso = t * 0.5f / MathF.Sqrt(Dimensions);
        for (int d = 0; d < Dimensions; d++) output[d] = centre[d] + iso * (float)rng.NextNormal();
        for (int i = 0; i < Basis; i++)
        {
            float z = t * 0.87f * basisScale[i] * (float)rng.NextNormal();
            var b = basis[i];
            for (int d = 0; d < Dimensions; d++) output[d] += z * b[d];
        }
        Normalize(output);
    }

    /// <summary>A fresh draw from the same mixture, not in the data set.</summary>
    public float[] HeldOutQuery(int q)
    {
        var v = new float[Dimensions];
        Generate(new Rng(Rng.Derive(QueryStream, q)), v);
        return RoundTripHalf(v);
    }

    /// <summary>A stored row plus noise (cosine about 0.97 to it): a modified copy of an indexed picture.</summary>
    public (float[] Query, long SourceRow) PerturbedQuery(int q, long rows)
    {
        var rng = new Rng(Rng.Derive(QueryStream, 1_000_000 + q));
        long source = (long)(rng.Next() % (ulong)rows);
        var v = new float[Dimensions];
        Row(source, v);
        float noise = 0.25f / MathF.Sqrt(Dimensions);
        for (int d = 0; d < Dimensions; d++) v[d] += noise * (float)rng.NextNormal();
        Normalize(v);
        return (RoundTripHalf(v), source);
    }

    private static float[] RoundTripHalf(float[] v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = (float)(Half)v[i];
        return v;
    }

    private static float[] UnitRandom(Rng rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)rng.NextNormal();
        Normalize(v);
        return v;
    }

    private static void Normalize(Span<float> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        float inv = (float)(1 / Math.Sqrt(s));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }
}
