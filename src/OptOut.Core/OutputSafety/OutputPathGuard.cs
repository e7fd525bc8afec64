namespace OptOut.Core.OutputSafety;

/// <summary>
/// Decides whether a command may write an output file or folder. The user's own data is never an
/// output: the registry and index databases (and the files SQLite and the index keep beside them),
/// the default ones under OPTOUT_HOME included whatever paths the command was given, and the inputs
/// the command reads. Paths are compared by their real paths, so a symbolic link or ".." cannot
/// disguise them.
/// </summary>
internal sealed class OutputPathGuard
{
    // What SQLite and the index keep beside a database file (the caption file is a database too).
    private static readonly string[] StoreSiblings =
        ["", "-wal", "-shm", "-journal", ".vectors", ".captions", ".captions-wal", ".captions-shm", ".captions-journal", ".hnsw"];

    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    private readonly List<string> storeFiles = [];
    private readonly List<string> sources = [];

    private OutputPathGuard() { }

    /// <param name="stores">Database files in use (registry, index); the default ones are added.</param>
    /// <param name="sources">Files or folders the command reads (datasets, lists).</param>
    public static OutputPathGuard For(IEnumerable<string?> stores, IEnumerable<string?> sources)
    {
        var guard = new OutputPathGuard();
        foreach (var store in stores.Append(OptOutPaths.DefaultIndexPath).Append(OptOutPaths.DefaultRegistryPath))
        {
            if (string.IsNullOrEmpty(store)) continue;
            var real = RealPath.Resolve(store);
            foreach (var sibling in StoreSiblings) guard.storeFiles.Add(real + sibling);
        }
        foreach (var source in sources)
        {
            if (!string.IsNullOrEmpty(source)) guard.sources.Add(RealPath.Resolve(source));
        }
        return guard;
    }

    /// <summary>Throws unless <paramref name="output"/> may be created or replaced as a file.</summary>
    /// <param name="what">How the command names this output in its errors, e.g. "-ReportPath".</param>
    public void CheckFile(string output, string what)
    {
        var real = RealPath.Resolve(output);
        if (Directory.Exists(real))
        {
            throw new UnsafeOutputPathException($"{what} '{output}' is a folder; name a file.", output);
        }
        foreach (var store in storeFiles)
        {
            if (string.Equals(real, store, RealPath.Comparison))
            {
                throw new UnsafeOutputPathException($"{what} '{output}' is OptOut's own database file '{store}'; it is never overwritten. Name another file.", output);
            }
        }
        foreach (var source in sources)
        {
            if (RealPath.IsSameOrInside(real, source))
            {
                throw new UnsafeOutputPathException($"{what} '{output}' is inside the input '{source}', which is only read. Name a file outside it.", output);
            }
        }
        if (IsSqliteDatabase(real))
        {
            throw new UnsafeOutputPathException($"{what} '{output}' is an existing SQLite database; OptOut never writes its reports over one. Name another file.", output);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="output"/> may be created, or replaced as a whole, as a folder:
    /// it must not overlap an input, and must hold none of OptOut's databases.
    /// </summary>
    public void CheckFolder(string output, string what)
    {
        var real = RealPath.Resolve(output);
        if (File.Exists(real))
        {
            throw new UnsafeOutputPathException($"{what} '{output}' is a file; name a folder.", output);
        }
        foreach (var source in sources)
        {
            if (RealPath.IsSameOrInside(real, source) || RealPath.IsSameOrInside(source, real))
            {
                throw new UnsafeOutputPathException($"{what} '{output}' overlaps the input '{source}'. Name a folder outside it.", output);
            }
        }
        foreach (var store in storeFiles)
        {
            if (RealPath.IsSameOrInside(store, real) && File.Exists(store))
            {
                throw new UnsafeOutputPathException($"{what} '{output}' holds OptOut's database file '{store}'; it is never replaced. Name another folder.", output);
            }
        }
    }

    private static bool IsSqliteDatabase(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> head = stackalloc byte[16];
            return stream.ReadAtLeast(head, 16, throwOnEndOfStream: false) == 16 && head.SequenceEqual(SqliteHeader);
        }
        catch (FileNotFoundException) { return false; }
        catch (DirectoryNotFoundException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
