using System.Management.Automation;
using OptOut.Core.Reports;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Import-MatchReview: reads the decisions exported from a match report and writes the matches marked
/// "mine" as Find-TrainedImage matches, so only reviewed matches go on to Add-OptOut.
/// </summary>
[Cmdlet(VerbsData.Import, "MatchReview")]
[OutputType(typeof(TrainedImageMatch))]
public sealed class ImportMatchReviewCommand : PSCmdlet
{
    private const string InvalidReview = "OptOut.InvalidMatchReview";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Which decisions to write: Mine (the default), NotMine, or All.</summary>
    [Parameter]
    public MatchReviewDecision Decision { get; set; } = MatchReviewDecision.Mine;

    protected override void ProcessRecord()
    {
        foreach (var given in Path)
        {
            string file;
            try
            {
                file = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out _).Single();
            }
            catch (ItemNotFoundException e)
            {
                WriteError(ErrorIds.Record(e, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, given, null));
                continue;
            }
            IReadOnlyList<ReviewDecision> decisions;
            try
            {
                decisions = MatchReviewReader.Read(file);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // A review decides what is opted out: a damaged one is reported whole, nothing from it is used.
                WriteError(ErrorIds.Record(e, e is InvalidDataException ? InvalidReview : ErrorIds.FileReadFailed,
                    e is InvalidDataException ? ErrorCategory.InvalidData : ErrorCategory.ReadError, file,
                    "Export the decisions again from the report's page (Export decisions)."));
                continue;
            }
            var mine = decisions.Count(d => d.IsMine);
            WriteVerbose($"'{file}': {mine:N0} marked mine, {decisions.Count - mine:N0} not mine.");
            foreach (var d in decisions)
            {
                if (Decision == MatchReviewDecision.Mine && !d.IsMine || Decision == MatchReviewDecision.NotMine && d.IsMine) continue;
                var m = d.Match;
                WriteObject(new TrainedImageMatch
                {
                    Query = m.Query, QuerySha256 = m.QuerySha256, Dataset = m.Dataset, Key = m.Key, Url = m.Url, Caption = m.Caption,
                    Width = m.Width, Height = m.Height, MatchKind = m.MatchKind, Similarity = m.Similarity, HashDistance = m.HashDistance, Sha256 = m.Sha256,
                });
            }
        }
    }
}
