using System.Text;

namespace CopyCalibration;

/// <summary>What the calibration needs of one image's fingerprint.</summary>
public sealed record Fingerprint(ulong Hash, int Width, int Height, float[] Embedding);

/// <summary>
/// Fingerprints keyed by the SHA-256 of the encoded bytes, in one append-only file, so a rerun skips the
/// decoding and the model. The file is tied to the model id and to the build of OptOut.Core (its
/// module version id changes whenever the engine's code does): a different engine or model starts a new
/// cache, since its hashes or embeddings may differ.
/// </summary>
public sealed class FingerprintCache : IDisposable
{
    private const string Magic = "OptOut.CopyCalibration.Cache/1";
    private readonly Dictionary<string, Fingerprint> entries = new(StringComparer.Ordinal);
    private readonly BinaryWriter writer;
    private readonly object gate = new();

    public FingerprintCache(string path, string engineStamp)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        bool reuse = false;
        if (File.Exists(path))
        {
            try
            {
                reuse = Load(path, engineStamp);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or InvalidDataException)
            {
                // A run killed mid-write leaves a torn last record: keep what was read before it.
                reuse = entries.Count > 0;
            }
        }
        if (reuse)
        {
            // Rewrite the valid part, so a torn tail never sits between records.
            var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write);
            writer = new BinaryWriter(stream, Encoding.UTF8);
            WriteHeader(engineStamp);
            foreach (var (key, value) in entries) WriteEntry(key, value);
            writer.Flush();
            writer.Dispose();
            File.Move(path + ".tmp", path, overwrite: true);
            writer = new BinaryWriter(new FileStream(path, FileMode.Append, FileAccess.Write), Encoding.UTF8);
        }
        else
        {
            entries.Clear();
            writer = new BinaryWriter(new FileStream(path, FileMode.Create, FileAccess.Write), Encoding.UTF8);
            WriteHeader(engineStamp);
            writer.Flush();
        }
        Path = path;
        LoadedEntries = entries.Count;
    }

    public string Path { get; }
    public int LoadedEntries { get; }
    public int Hits { get; private set; }
    public int Misses { get; private set; }

    /// <summary>Is there a fingerprint for this key (not counted as a hit or a miss)?</summary>
    public bool Contains(string sha256)
    {
        lock (gate) return entries.ContainsKey(sha256);
    }

    public bool TryGet(string sha256, out Fingerprint fingerprint)
    {
        lock (gate)
        {
            if (entries.TryGetValue(sha256, out fingerprint!)) { Hits++; return true; }
            Misses++;
            return false;
        }
    }

    public void Add(string sha256, Fingerprint fingerprint)
    {
        lock (gate)
        {
            if (entries.TryAdd(sha256, fingerprint))
            {
                WriteEntry(sha256, fingerprint);
                writer.Flush();
            }
        }
    }

    public void Dispose() => writer.Dispose();

    private bool Load(string path, string engineStamp)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (reader.ReadString() != Magic || reader.ReadString() != engineStamp) return false;
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var key = reader.ReadString();
            var hash = reader.ReadUInt64();
            int width = reader.ReadInt32(), height = reader.ReadInt32(), dims = reader.ReadInt32();
            if (dims is < 1 or > 65536) throw new InvalidDataException("bad record");
            var vector = new float[dims];
            for (int i = 0; i < dims; i++) vector[i] = reader.ReadSingle();
            entries[key] = new Fingerprint(hash, width, height, vector);
        }
        return true;
    }

    private void WriteHeader(string engineStamp)
    {
        writer.Write(Magic);
        writer.Write(engineStamp);
    }

    private void WriteEntry(string key, Fingerprint f)
    {
        writer.Write(key);
        writer.Write(f.Hash);
        writer.Write(f.Width);
        writer.Write(f.Height);
        writer.Write(f.Embedding.Length);
        foreach (var v in f.Embedding) writer.Write(v);
    }
}
