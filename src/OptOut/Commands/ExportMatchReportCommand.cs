using System.Management.Automation;
using System.Text;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.OutputSafety;
using OptOut.Core.Reports;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Export-MatchReport: writes the visual match report (one HTML file, thumbnails embedded or in a
/// folder beside it) from Find-TrainedImage matches, Test-TrainingSet findings and the works searched.
/// </summary>
[Cmdlet(VerbsData.Export, "MatchReport", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportMatchReportCommand : PSCmdlet
{
    /// <summary>Where Auto switches from embedded thumbnails to a folder (docs/report.md has the measurements).</summary>
    public const int EmbeddedThumbnailLimit = 1_000;

    private const string UnsupportedInput = "OptOut.UnsupportedReportInput";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Find-TrainedImage matches, Test-TrainingSet findings, and files (the works searched).</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>The works searched, so those with no match are listed and counted.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Work { get; set; }

    [Parameter]
    public string? Claimant { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    /// <summary>The index searched: its datasets are counted and its model named in the report.</summary>
    [Parameter]
    public string? IndexPath { get; set; }

    [Parameter]
    public ReportThumbnails Thumbnails { get; set; } = ReportThumbnails.Auto;

    /// <summary>Overwrites a read-only report.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<ReportMatch> matches = [];
    private readonly List<ReportViolation> violations = [];
    private readonly List<string> works = [];

    protected override void ProcessRecord()
    {
        switch (InputObject?.BaseObject)
        {
            case null:
                break;
            case TrainedImageMatch m:
                matches.Add(new ReportMatch
                {
                    Query = m.Query, QuerySha256 = m.QuerySha256, Dataset = m.Dataset, Key = m.Key, Url = m.Url, Caption = m.Caption,
                    Width = m.Width, Height = m.Height, MatchKind = m.MatchKind, Similarity = m.Similarity, HashDistance = m.HashDistance,
                    Sha256 = m.Sha256, Image = m.Image, Verification = m.Verification,
                });
                break;
            case TrainingSetViolation v:
                violations.Add(new ReportViolation
                {
                    Dataset = v.Dataset, Shard = v.Shard, Row = v.Row, Key = v.Key, Url = v.Url, Rule = v.Rule,
                    RecordId = v.RecordId, Claimant = v.Claimant, Detail = v.Detail,
                });
                break;
            case FileInfo file:
                works.Add(file.FullName);
                break;
            default:
                WriteError(ErrorIds.Record(
                    new ArgumentException($"Export-MatchReport takes Find-TrainedImage matches, Test-TrainingSet findings and files (the works searched); a {InputObject.BaseObject.GetType().Name} is none of those."),
                    UnsupportedInput, ErrorCategory.InvalidType, InputObject.BaseObject, "Pipe Find-TrainedImage or Test-TrainingSet output, or Get-ChildItem of the works."));
                break;
        }
    }

    protected override void EndProcessing()
    {
        foreach (var (file, error) in new FilePathResolver(this, recurse: false).Resolve(Work ?? [], literal: false))
        {
            if (error is not null) WriteError(ErrorIds.ForFile(error, file));
            else works.Add(file);
        }
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var indexPath = IndexAccess.Resolve(this, IndexPath);
        var storage = Thumbnails switch
        {
            ReportThumbnails.Embedded => ThumbnailStorage.Embedded,
            ReportThumbnails.Folder => ThumbnailStorage.Folder,
            _ => matches.Count(m => m.Image is not null) > EmbeddedThumbnailLimit ? ThumbnailStorage.Folder : ThumbnailStorage.Embedded,
        };
        var folder = storage == ThumbnailStorage.Folder ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileNameWithoutExtension(path) + "_files") : null;
        CheckOutput(path, folder, indexPath);
        var what = $"Write a match report of {matches.Count:N0} matches and {violations.Count:N0} findings" + (folder is null ? "" : $", thumbnails in '{folder}'");
        if (!ShouldProcess(path, what)) return;
        OutputFiles.AllowReplace(path, Force);

        var header = ReadIndex(indexPath) with
        {
            Title = Title ?? "Where my work was found in AI training sets",
            Claimant = Claimant,
            CreatedAt = DateTimeOffset.Now,
            Works = works,
        };
        if (folder is not null) ClearOldThumbnails(folder);
        var thumbnails = new ThumbnailMaker(storage, folder, ImageLimits.Default);
        // Replaced whole when complete: a failed run leaves any earlier report as it was.
        MatchReportSummary? written = null;
        try
        {
            AtomicFile.Replace(path, temporary =>
            {
                using var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 16);
                written = new MatchReportWriter(thumbnails).Write(writer, header, matches, violations, path);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorIds.Record(e, "OptOut.ReportWriteFailed", ErrorCategory.WriteError, path, null));
            return;
        }
        var summary = written ?? throw new InvalidOperationException("The report writer returned no summary.");
        foreach (var problem in summary.Problems)
        {
            WriteWarning($"The report shows no picture for '{problem.Target}': {problem.Error.Message}");
        }
        HostSummary.Write(this, $"{summary.Headline}; {summary.Matches:N0} matches ({summary.VerifiedCopies:N0} verified copies), {summary.Violations:N0} gate findings. Report: {path}" +
            (folder is null ? "" : $" (thumbnails in {folder})"));
        if (PassThru) WriteObject(new FileInfo(path));
    }

    private void CheckOutput(string path, string? folder, string indexPath)
    {
        OutputFiles.Guard(this, () =>
        {
            var guard = OutputPathGuard.For([indexPath, RegistryAccess.Resolve(this, null)],
                works.Concat(matches.Where(m => m.IsImageQuery).Select(m => m.Query)).Concat(matches.Select(m => m.Image?.Path)).Distinct());
            guard.CheckFile(path, "-Path");
            if (folder is not null)
            {
                guard.CheckFolder(folder, "The thumbnail folder");
                if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(e => !IsThumbnail(e)))
                {
                    throw new UnsafeOutputPathException($"The thumbnail folder '{folder}' holds files a report did not write; they are never replaced. Move them, or name another -Path.", folder);
                }
            }
        }, path, "Name another file for the report.");
        OutputFiles.CheckReplace(this, path, NoClobber, Force);
    }

    private static bool IsThumbnail(string entry)
    {
        var name = System.IO.Path.GetFileName(entry);
        return File.Exists(entry) && name.Length == 11 && name[0] == 't' && name.EndsWith(".jpg", StringComparison.Ordinal) && name[1..7].All(char.IsAsciiDigit);
    }

    private static void ClearOldThumbnails(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.EnumerateFiles(folder).Where(IsThumbnail).ToList()) File.Delete(file);
    }

    // The index names the datasets searched and their model; without one, the report counts the datasets it saw.
    private ReportHeader ReadIndex(string indexPath)
    {
        if (IndexPath is null && !File.Exists(indexPath) && !Directory.Exists(indexPath)) return new ReportHeader();
        using var store = IndexAccess.OpenExisting(this, indexPath);
        var datasets = store.ListDatasets();
        return new ReportHeader
        {
            IndexPath = indexPath,
            Datasets = datasets.Select(d => d.Name).ToList(),
            Models = datasets.Select(d => d.ModelId).OfType<string>().Distinct(StringComparer.Ordinal).ToList(),
        };
    }
}
