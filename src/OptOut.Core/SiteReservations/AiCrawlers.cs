namespace OptOut.Core.SiteReservations;

/// <summary>The AI-training crawlers' robots.txt tokens, from the maintained list ai-crawlers.txt (embedded).</summary>
internal static class AiCrawlers
{
    private static readonly Lazy<IReadOnlyList<string>> Tokens = new(Load);

    public static IReadOnlyList<string> All => Tokens.Value;

    private static List<string> Load()
    {
        using var stream = typeof(AiCrawlers).Assembly.GetManifestResourceStream("OptOut.Core.SiteReservations.ai-crawlers.txt")
            ?? throw new InvalidOperationException("The embedded ai-crawlers.txt is missing from the build.");
        using var reader = new StreamReader(stream);
        var tokens = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var token = line.Split('#', 2)[0].Trim();
            if (token.Length > 0) tokens.Add(token);
        }
        return tokens;
    }
}
