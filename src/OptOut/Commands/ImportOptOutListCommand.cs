using System.Management.Automation;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Import-OptOutList: merges a list exported by another registry (or a plain URL list).</summary>
[Cmdlet(VerbsData.Import, "OptOutList", SupportsShouldProcess = true)]
[OutputType(typeof(OptOutListImportResult))]
public sealed class ImportOptOutListCommand : RegistryCommandBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter]
    public ListFormat? Format { get; set; }

    /// <summary>For a UrlList (which has no claimants): who the refusals are recorded for.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Claimant { get; set; } = Environment.UserName;

    /// <summary>
    /// Applies the revocations the list carries, as revocations by the person importing (the list
    /// and what it said are recorded with them). Without it, revoked records in the list are
    /// skipped and counted: a list cannot lift a claim here on its own say-so.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeRevocations { get; set; }

    private IConsentRegistry? registry;

    // A list can carry thousands of respelled domains: the first few are shown, then a count.
    private const int NotesShown = 20;

    protected override void ProcessRecord()
    {
        foreach (var argument in Path)
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(argument);
            if (!File.Exists(path))
            {
                WriteError(ErrorIds.Record(new FileNotFoundException($"'{path}' does not exist.", path), ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path, null));
                continue;
            }
            IReadOnlyList<StoredClaim> records;
            var notes = new List<string>();
            try
            {
                records = OptOutListFormat.Read(path, Format ?? OptOutListFormat.FromExtension(path), Claimant, notes);
            }
            catch (ListFormatException e)
            {
                WriteError(ErrorIds.Record(e, "OptOut.MalformedList", ErrorCategory.InvalidData, path, $"Fix {e.Where} of the file and import it again."));
                continue;
            }
            catch (ArgumentException e)
            {
                WriteError(ErrorIds.Record(e, "OptOut.UnknownListFormat", ErrorCategory.InvalidArgument, path, "Pass -Format."));
                continue;
            }
            if (!ShouldProcess(path, $"Merge {records.Count:N0} records into the registry")) continue;
            foreach (var note in notes.Take(NotesShown)) WriteWarning($"{path}, {note}");
            if (notes.Count > NotesShown) WriteWarning($"{path}: {notes.Count - NotesShown:N0} more domains given as web addresses were recorded as their hosts.");
            registry ??= RegistryAccess.Open(this, RegistryPath, Credential);
            var progress = new ProgressReporter(this, 5, $"Importing {path}");
            var result = registry.Merge(records, RegistryAccess.CurrentUser, System.IO.Path.GetFileName(path), IncludeRevocations, path,
                done => progress.Report(done, records.Count, "records"));
            progress.Complete();
            foreach (var conflict in result.Conflicts) WriteWarning(conflict);
            if (result.RevokedNotApplied > 0)
            {
                WriteWarning($"Revoked in list, not applied: {result.RevokedNotApplied:N0} ({path}). Pass -IncludeRevocations to revoke them here, as your own revocations.");
            }
            WriteObject(new OptOutListImportResult
            {
                Path = path, Records = records.Count, Added = result.Added, Skipped = result.Skipped, Revoked = result.Revoked, RevokedNotApplied = result.RevokedNotApplied, Conflicts = result.Conflicts.ToArray(),
            });
        }
    }

    protected override void EndProcessing() => registry?.Dispose();
}
