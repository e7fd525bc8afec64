using System.Management.Automation;
using OptOut.Core.SiteReservations;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Test-SiteReservation: which of a site's signals (robots.txt, ai.txt, TDMRep, headers) reserve each URL, from a local copy of the files.</summary>
[Cmdlet(VerbsDiagnostic.Test, "SiteReservation")]
[OutputType(typeof(SiteReservationVerdict), typeof(bool))]
public sealed class TestSiteReservationCommand : PSCmdlet
{
    public const string SiteFilesUnreadable = "OptOut.SiteFilesUnreadable";
    public const string NotAUrl = "OptOut.NotAUrl";

    private SiteReservationChecker? checker;

    /// <summary>A folder with the site's robots.txt, ai.txt, .well-known/tdmrep.json and headers.txt (any of them).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string SitePath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] Url { get; set; } = [];

    /// <summary>A file of response headers ("Name: value" a line, as curl -I prints them), instead of SitePath's headers.txt.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HeadersPath { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void BeginProcessing()
    {
        var folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SitePath);
        try
        {
            checker = SiteReservationChecker.FromFolder(folder, HeadersPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(HeadersPath));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorIds.Record(e, SiteFilesUnreadable, ErrorCategory.ReadError, folder, null));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var url in Url)
        {
            if (string.IsNullOrWhiteSpace(url) || url.TrimStart().StartsWith('#')) continue;
            try
            {
                var signals = checker!.Check(url.Trim());
                var by = signals.Where(s => s.Reserves).Select(s => s.Source).ToArray();
                if (Quiet) WriteObject(by.Length > 0);
                else WriteObject(new SiteReservationVerdict { Url = url.Trim(), Reserved = by.Length > 0, ReservedBy = by, Signals = signals });
            }
            catch (ArgumentException e)
            {
                WriteError(ErrorIds.Record(e, NotAUrl, ErrorCategory.InvalidArgument, url, null));
            }
        }
    }
}
