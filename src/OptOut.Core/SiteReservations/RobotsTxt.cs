namespace OptOut.Core.SiteReservations;

/// <summary>
/// A robots.txt as RFC 9309 reads it: groups of user-agent lines and their allow/disallow rules; the
/// groups naming a crawler's product token (case-insensitively) are combined, else the '*' groups;
/// the most specific matching rule wins, and allow wins a tie. Other lines (sitemap, comments) are kept
/// in <see cref="Text"/> but play no part.
/// </summary>
internal sealed class RobotsTxt
{
    private RobotsTxt(string text, IReadOnlyList<RobotsGroup> groups)
    {
        Text = text;
        Groups = groups;
    }

    public string Text { get; }
    public IReadOnlyList<RobotsGroup> Groups { get; }

    public static RobotsTxt Parse(string text)
    {
        var groups = new List<RobotsGroup>();
        List<string>? agents = null;
        List<RobotsRule>? rules = null;
        var first = 0;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent":
                    if (agents is null || rules!.Count > 0)
                    {
                        if (agents is not null) groups.Add(new RobotsGroup(agents, rules!, first));
                        agents = [];
                        rules = [];
                        first = number;
                    }
                    agents.Add(value);
                    break;
                case "allow" or "disallow":
                    // Rules before any user-agent line belong to no group (RFC 9309 2.2.1); an empty
                    // pattern matches nothing ("Disallow:" allows everything).
                    if (agents is null || value.Length == 0) break;
                    rules!.Add(new RobotsRule(key == "allow", new PathPattern(value), number));
                    break;
            }
        }
        if (agents is not null) groups.Add(new RobotsGroup(agents, rules!, first));
        return new RobotsTxt(text, groups);
    }

    /// <param name="productToken">The crawler's robots.txt token, e.g. "GPTBot".</param>
    /// <param name="pathAndQuery">The URL's path and query, starting with '/'.</param>
    public RobotsDecision Decide(string productToken, string pathAndQuery)
    {
        if (pathAndQuery == "/robots.txt") return new RobotsDecision(true, null, null);
        var matching = Groups.Where(g => g.UserAgents.Any(a => string.Equals(a, productToken, StringComparison.OrdinalIgnoreCase))).ToList();
        var agent = productToken;
        if (matching.Count == 0)
        {
            matching = Groups.Where(g => g.UserAgents.Contains("*")).ToList();
            agent = "*";
        }
        RobotsRule? best = null;
        foreach (var rule in matching.SelectMany(g => g.Rules))
        {
            if (!rule.Pattern.Matches(pathAndQuery)) continue;
            if (best is null || rule.Pattern.Specificity > best.Pattern.Specificity || (rule.Pattern.Specificity == best.Pattern.Specificity && rule.Allow && !best.Allow))
            {
                best = rule;
            }
        }
        return new RobotsDecision(best is null || best.Allow, best, matching.Count == 0 ? null : agent);
    }
}
