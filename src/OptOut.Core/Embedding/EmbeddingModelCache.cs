using System.Collections.Concurrent;
using System.Globalization;

namespace OptOut.Core.Embedding;

/// <summary>
/// Loading a model costs a few hundred milliseconds and tens of megabytes, so a process keeps one
/// loaded instance per model file and settings. Instances are immutable and their Run is
/// thread-safe, so runspaces may share them. A file changed on disk gets a new instance.
/// </summary>
public static class EmbeddingModelCache
{
    private static readonly ConcurrentDictionary<string, Lazy<EmbeddingModel>> Models = new();

    /// <summary>The loaded model for <paramref name="spec"/> (and <paramref name="intraOpThreads"/>), loading it on first use or when its file changed.</summary>
    public static EmbeddingModel Get(EmbeddingModelSpec spec, int intraOpThreads)
    {
        var key = KeyOf(spec, intraOpThreads);
        var lazy = Models.GetOrAdd(key, _ => new Lazy<EmbeddingModel>(() => new EmbeddingModel(spec, intraOpThreads)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed load is not cached: the user may fix the file and try again.
            Models.TryRemove(new KeyValuePair<string, Lazy<EmbeddingModel>>(key, lazy));
            throw;
        }
    }

    private static string KeyOf(EmbeddingModelSpec spec, int threads)
    {
        static string Stamp(string? path)
        {
            if (path is null) return "-";
            var info = new FileInfo(path);
            return info.Exists ? $"{info.FullName}:{info.Length}:{info.LastWriteTimeUtc.Ticks}" : path;
        }
        static string Floats(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        return string.Join("|", spec.Name, Stamp(spec.OnnxPath), Stamp(spec.PreprocessOnnxPath), spec.InputName, spec.OutputName,
            spec.InputWidth, spec.InputHeight, spec.Resize, Floats(spec.Mean), Floats(spec.Std), threads);
    }
}
