using System.Text.RegularExpressions;

namespace OptOut.Core.Tests;

/// <summary>
/// The engine's folder map in docs/architecture.md is the rule: each folder uses only the folders it
/// lists, the map has no cycles, and the engine holds no PowerShell. These tests read the real source.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string CoreFolder = Path.Combine(TestEnvironment.RepositoryRoot, "src", "OptOut.Core");

    [GeneratedRegex(@"```dependencies\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DependencyBlock();

    [GeneratedRegex(@"(?:^\s*using\s+(?:static\s+)?|[^\w.])OptOut\.Core\.(?<folder>[A-Z]\w*)\b", RegexOptions.Multiline)]
    private static partial Regex CoreReference();

    private static Dictionary<string, HashSet<string>> Map()
    {
        var text = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "architecture.md")).ReplaceLineEndings("\n");
        var block = DependencyBlock().Match(text);
        Assert.True(block.Success, "docs/architecture.md has no ```dependencies block");
        var map = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in block.Groups["block"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(':', 2);
            map.Add(parts[0].Trim(), parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
        }
        return map;
    }

    private static IEnumerable<string> Folders() =>
        Directory.EnumerateDirectories(CoreFolder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(CoreFolder, name), "*.cs", SearchOption.AllDirectories).Any());

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(CoreFolder, folder), "*.cs", SearchOption.AllDirectories);

    /// <summary>The text with comments and string literals blanked, so a doc comment naming a type is not a dependency.</summary>
    private static string Code(string path)
    {
        var text = File.ReadAllText(path);
        text = Regex.Replace(text, @"//[^\n]*", "");
        text = Regex.Replace(text, @"/\*.*?\*/", "", RegexOptions.Singleline);
        return Regex.Replace(text, "\"(?:[^\"\\\\\\n]|\\\\.)*\"", "\"\"");
    }

    [Fact]
    public void Every_engine_folder_is_on_the_map_and_every_listed_folder_exists()
    {
        var map = Map();
        var folders = Folders().ToHashSet(StringComparer.Ordinal);
        Assert.Empty(folders.Except(map.Keys));
        Assert.Empty(map.Keys.Except(folders));
        Assert.Empty(map.Values.SelectMany(v => v).Except(folders));
    }

    [Fact]
    public void Each_folder_names_only_the_folders_the_map_allows_it()
    {
        var map = Map();
        var violations = new List<string>();
        foreach (var folder in Folders())
        {
            var allowed = map.GetValueOrDefault(folder) ?? [];
            foreach (var file in SourceFiles(folder))
            {
                var code = Code(file);
                // Both "OptOut.Core.Index.X" and, inside the OptOut.Core namespace, "Index.X".
                var relative = new Regex(@"(?<![\w.])(?<folder>" + string.Join('|', map.Keys) + @")\.[A-Z]\w*");
                foreach (Match reference in CoreReference().Matches(code).Concat(relative.Matches(code)))
                {
                    var used = reference.Groups["folder"].Value;
                    if (used != folder && !allowed.Contains(used) && Directory.Exists(Path.Combine(CoreFolder, used)))
                    {
                        violations.Add($"{Path.GetRelativePath(CoreFolder, file)} uses {used}, which {folder} may not (docs/architecture.md)");
                    }
                }
            }
        }
        Assert.Empty(violations.Distinct());
    }

    [Fact]
    public void The_map_has_no_cycles()
    {
        var map = Map();
        var state = new Dictionary<string, int>();
        var path = new Stack<string>();

        void Visit(string folder)
        {
            if (state.GetValueOrDefault(folder) == 2) return;
            Assert.False(state.GetValueOrDefault(folder) == 1, "cycle: " + string.Join(" -> ", path.Reverse().Append(folder)));
            state[folder] = 1;
            path.Push(folder);
            foreach (var next in map.GetValueOrDefault(folder) ?? []) Visit(next);
            path.Pop();
            state[folder] = 2;
        }

        foreach (var folder in map.Keys) Visit(folder);
    }

    [Fact]
    public void The_engine_holds_no_PowerShell()
    {
        var project = File.ReadAllText(Path.Combine(CoreFolder, "OptOut.Core.csproj"));
        Assert.DoesNotContain("PowerShell", project, StringComparison.OrdinalIgnoreCase);
        var files = Folders().SelectMany(SourceFiles).Concat(Directory.EnumerateFiles(CoreFolder, "*.cs"));
        Assert.DoesNotContain(files, f => Code(f).Contains("System.Management.Automation", StringComparison.Ordinal));
    }
}
