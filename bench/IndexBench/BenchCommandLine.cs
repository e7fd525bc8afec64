using System.Globalization;
using System.Text.Json;

namespace IndexBench;

/// <summary>
/// The command line shared by the benchmark consoles (IndexBench, GateBench): "command --name value
/// --flag ...", each command returning one JSON object printed (and written to --result when given)
/// with the load average before and after.
/// </summary>
public sealed class BenchCommandLine
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly Dictionary<string, string> options = new(StringComparer.Ordinal);

    private BenchCommandLine(string command) => Command = command;

    public string Command { get; }

    public static BenchCommandLine Parse(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var line = new BenchCommandLine(args[0]);
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {args[i]}");
            bool flag = i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
            line.options[args[i][2..]] = flag ? "true" : args[++i];
        }
        return line;
    }

    public string Option(string name, string? fallback = null) =>
        options.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

    public int IntOption(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double DoubleOption(string name, double fallback) => options.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => options.ContainsKey(name);

    /// <summary>Runs the command's measurement and prints its result as JSON; returns the exit code.</summary>
    public int Run(Func<Dictionary<string, object?>> measure)
    {
        var loadBefore = Measure.LoadAverage();
        var result = measure();
        result["command"] = Command;
        result["load_average_before"] = loadBefore;
        result["load_average_after"] = Measure.LoadAverage();
        var json = JsonSerializer.Serialize(result, Indented);
        if (options.TryGetValue("result", out var resultPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(resultPath))!);
            File.WriteAllText(resultPath, json);
        }
        Console.WriteLine(json);
        return 0;
    }
}
