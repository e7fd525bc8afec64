namespace OptOut.Core.OutputSafety;

/// <summary>
/// A path with every symbolic link and every "." and ".." resolved, component by component, the way
/// the operating system follows them (realpath(3)); the part of the path that does not exist yet is
/// appended as written. Two paths name the same file when their real paths are equal.
/// </summary>
internal static class RealPath
{
    private const int MaxLinks = 40;  // ELOOP's limit on Linux

    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static string Resolve(string path)
    {
        // Not Path.GetFullPath: it drops "x/.." before x is known to be a link.
        var full = Path.IsPathFullyQualified(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var root = Path.GetPathRoot(full)!;
        var pending = new Stack<string>();
        PushComponents(pending, full[root.Length..]);
        var current = root;
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Combine(current, part);
            var target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new IOException($"Too many symbolic links while resolving '{path}'.");
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }
            PushComponents(pending, target);
        }
        return current.Length > root.Length ? current.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : current;
    }

    /// <summary>True when <paramref name="inner"/> is <paramref name="outer"/> or lies below it (both real paths).</summary>
    public static bool IsSameOrInside(string inner, string outer)
    {
        if (string.Equals(inner, outer, Comparison)) return true;
        var prefix = outer.EndsWith(Path.DirectorySeparatorChar) ? outer : outer + Path.DirectorySeparatorChar;
        return inner.StartsWith(prefix, Comparison);
    }

    private static void PushComponents(Stack<string> pending, string relative)
    {
        var parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            // FileInfo reads the link itself whether it points at a file, a folder or nothing.
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
