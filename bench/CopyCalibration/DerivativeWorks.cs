using System.Text.RegularExpressions;

namespace CopyCalibration;

/// <summary>
/// The reviewed list of derivative works (bench/CopyCalibration/derivative-works.tsv): groups of files that
/// share parts of one drawing. A match between two members of a group is neither a copy of the query nor
/// an error; the report counts it apart.
/// </summary>
public sealed class DerivativeWorks
{
    private readonly List<(string Name, string Kind, Regex[] Patterns)> groups = [];

    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "derivative-works.tsv");

    public static DerivativeWorks Load(string path)
    {
        var works = new DerivativeWorks();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split('\t');
            if (cells.Length != 3) throw new FormatException($"{path}: expected group, kind and patterns separated by tabs: {line}");
            var patterns = cells[2].Split(';').Select(p => new Regex("^" + Regex.Escape(p.Trim()).Replace(@"\*", "[^/]*") + "$", RegexOptions.CultureInvariant)).ToArray();
            works.groups.Add((cells[0], cells[1], patterns));
        }
        return works;
    }

    public int Groups => groups.Count;

    /// <summary>The group a file belongs to, or null.</summary>
    public string? GroupOf(string path)
    {
        foreach (var (name, _, patterns) in groups)
        {
            if (patterns.Any(p => p.IsMatch(path))) return name;
        }
        return null;
    }

    /// <summary>The group both files belong to, or null: two different files of one group are derivative works of each other.</summary>
    public string? SharedGroup(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal)) return null;
        foreach (var (name, _, patterns) in groups)
        {
            if (patterns.Any(p => p.IsMatch(a)) && patterns.Any(p => p.IsMatch(b))) return name;
        }
        return null;
    }

    public IEnumerable<(string Name, string Kind)> List() => groups.Select(g => (g.Name, g.Kind));
}
