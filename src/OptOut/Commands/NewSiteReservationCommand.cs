using System.Management.Automation;
using OptOut.Core.SiteReservations;
using OptOut.Infrastructure;
using OptOut.Core.Urls;

namespace OptOut.Commands;

/// <summary>New-SiteReservation: writes a site's AI-training reservation files (robots.txt merged, ai.txt, TDMRep) and server header snippets.</summary>
[Cmdlet(VerbsCommon.New, "SiteReservation", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class NewSiteReservationCommand : PSCmdlet
{
    public const string SiteReservationFailed = "OptOut.SiteReservationFailed";

    /// <summary>The site's document root (or a folder to deploy from): robots.txt there is merged, not replaced.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Crawler { get; set; } = [.. AiCrawlers.All];

    /// <summary>Path patterns to reserve (robots.txt syntax); the whole site by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] SitePath { get; set; } = ["/"];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TdmPolicy { get; set; }

    /// <summary>Reserve what the registry refuses on this host: the whole site for a domain refusal, else each refused URL's path.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FromRegistryFor { get; set; }

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void EndProcessing()
    {
        var root = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (FromRegistryFor is not null) SitePath = PathsFromRegistry(FromRegistryFor);
        var robotsPath = System.IO.Path.Combine(root, "robots.txt");
        try
        {
            var existing = File.Exists(robotsPath) ? File.ReadAllText(robotsPath) : null;
            var (robots, conflicts) = RobotsTxtWriter.Merge(existing, Crawler, SitePath);
            foreach (var conflict in conflicts) WriteWarning(conflict);
            var tdmLocations = SitePath.Select(p => p.EndsWith('$') || p.EndsWith('*') ? p : p + "*").ToList();
            var files = new (string Relative, string Text)[]
            {
                ("robots.txt", robots),
                ("ai.txt", AiTxtFile.Write(SitePath)),
                (System.IO.Path.Combine(".well-known", "tdmrep.json"), TdmRepFile.Write(tdmLocations, TdmPolicy)),
                (System.IO.Path.Combine("optout-headers", "nginx.conf"), HeaderSnippets.Nginx(TdmPolicy)),
                (System.IO.Path.Combine("optout-headers", "apache.conf"), HeaderSnippets.Apache(TdmPolicy)),
                (System.IO.Path.Combine("optout-headers", "Caddyfile"), HeaderSnippets.Caddy(TdmPolicy)),
            };
            foreach (var (relative, text) in files)
            {
                var target = System.IO.Path.Combine(root, relative);
                if (!ShouldProcess(target, relative == "robots.txt" && existing is not null ? "Merge the AI-training reservation into robots.txt" : "Write")) continue;
                WriteAtomically(target, text);
                WriteObject(new FileInfo(target));
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorIds.Record(e, SiteReservationFailed, ErrorCategory.InvalidArgument, root, null));
        }
    }

    private string[] PathsFromRegistry(string domain)
    {
        string host;
        try
        {
            host = Core.Urls.UrlNormalizer.NormalizeDomain(domain);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, SiteReservationFailed, ErrorCategory.InvalidArgument, domain, "Name the site's host, e.g. my-portfolio.example."));
            return [];
        }
        using var registry = RegistryAccess.OpenForReading(this, RegistryPath, Credential);
        var refusals = registry?.Read(new Core.Registry.RecordFilter { Decision = Core.Registry.Decision.Refuse, Kind = Core.Registry.ClaimKind.Domain })
            .Concat(registry.Read(new Core.Registry.RecordFilter { Decision = Core.Registry.Decision.Refuse, Kind = Core.Registry.ClaimKind.Url, Domain = host }))
            .ToList() ?? [];
        var paths = ClaimedSitePaths.For(host, refusals).Union(MyInvocation.BoundParameters.ContainsKey(nameof(SitePath)) ? SitePath : [], StringComparer.Ordinal).ToArray();
        if (paths.Length == 0)
        {
            ThrowTerminatingError(ErrorIds.Record(new InvalidOperationException($"The registry holds no active refusal of '{host}' or of a URL on it; nothing to reserve."),
                SiteReservationFailed, ErrorCategory.ObjectNotFound, host, "Add-OptOut -Url/-Domain first, or give -SitePath."));
        }
        WriteVerbose($"From the registry for {host}: {paths.Length:N0} path pattern(s).");
        return paths;
    }

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        Core.OutputSafety.AtomicFile.WriteAllText(path, text);
    }
}
