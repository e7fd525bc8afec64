using System.Management.Automation;
using OptOut.Core.OutputSafety;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-OptOut: the registry's records, active ones by default, with filters.</summary>
[Cmdlet(VerbsCommon.Get, "OptOut")]
[OutputType(typeof(ConsentRecord))]
public sealed class GetOptOutCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.ClaimantCompleter))]
    public string? Claimant { get; set; }

    [Parameter]
    public ClaimKind? Kind { get; set; }

    [Parameter]
    public Decision? Decision { get; set; }

    /// <summary>Records whose URL is one of these (after normalisation). Not bound from the pipeline:
    /// records piped in (Get-OptOut | Get-OptOut) must bind by Id, not turn into URL strings.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>Records for this domain or its subdomains (URL and domain claims).</summary>
    [Parameter]
    public string? Domain { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    [Parameter]
    public SwitchParameter IncludeEmbedding { get; set; }

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    private IConsentRegistry? registry;

    protected override void BeginProcessing() => registry = RegistryPaths.OpenForReading(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        if (registry is null) return;
        var filter = new RecordFilter
        {
            Ids = Id,
            Claimant = Claimant,
            Kind = Kind,
            Decision = Decision,
            Domain = Domain,
            Since = Since?.ToUniversalTime(),
            IncludeRevoked = IncludeRevoked || Id is not null,
            IncludeEmbeddings = IncludeEmbedding,
        };
        try
        {
            if (Url is null)
            {
                foreach (var record in registry.Read(filter)) WriteObject(ConsentRecord.From(record));
            }
            else
            {
                foreach (var url in Url)
                {
                    foreach (var record in registry.Read(filter with { Url = url })) WriteObject(ConsentRecord.From(record));
                }
            }
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, InvalidDomain, ErrorCategory.InvalidArgument, Domain, "Name a domain such as 'example.com'."));
        }
        if (Claimant is not null && !claimantChecked)
        {
            claimantChecked = true;
            UnknownClaimant.Check(this, registry, Claimant);
        }
    }

    private bool claimantChecked;

    /// <summary>-Domain names no domain (checked when the records are read).</summary>
    internal const string InvalidDomain = "OptOut.InvalidDomain";

    protected override void EndProcessing() => registry?.Dispose();
}

/// <summary>Remove-OptOut: revokes records. They stay in the registry, revoked, with the reason, and the revocation is audited.</summary>
[Cmdlet(VerbsCommon.Remove, "OptOut", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ConsentRecord))]
public sealed class RemoveOptOutCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = [];

    [Parameter]
    public string? Reason { get; set; }

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private IConsentRegistry? registry;

    // Revoking writes: the registry is opened for writing (and migrated), but never created.
    protected override void BeginProcessing() => registry = RegistryPaths.OpenExisting(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        foreach (var id in Id)
        {
            if (registry is null)
            {
                WriteError(ErrorIds.Record(new KeyNotFoundException($"No record with id '{id}' (the registry is empty)."), "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, id, null));
                continue;
            }
            var existing = registry.Read(new RecordFilter { Ids = [id], IncludeRevoked = true }).FirstOrDefault();
            if (existing is null)
            {
                WriteError(ErrorIds.Record(new KeyNotFoundException($"No record with id '{id}'."), "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, id, null));
                continue;
            }
            if (existing.Status == ClaimStatus.Revoked)
            {
                WriteWarning($"Record {id} was already revoked on {existing.RevokedAt:u}.");
                continue;
            }
            if (!ShouldProcess($"{existing.Decision} {existing.Kind} {existing.Target} by {existing.Claimant} ({id})", "Revoke")) continue;
            foreach (var revoked in registry.Revoke([id], RegistryPaths.CurrentUser, Reason))
            {
                if (PassThru) WriteObject(ConsentRecord.From(revoked));
            }
        }
    }

    protected override void EndProcessing() => registry?.Dispose();
}

/// <summary>Get-OptOutHistory: the registry's append-only audit log.</summary>
[Cmdlet(VerbsCommon.Get, "OptOutHistory")]
[OutputType(typeof(OptOutAuditEntry))]
public sealed class GetOptOutHistoryCommand : PSCmdlet
{
    /// <summary>Only entries about this record.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    public string? Id { get; set; }

    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only entries of this action (AddOptOut, AddOptIn, Revoke, Import, ImportRevoke, Migrate).</summary>
    [Parameter]
    public string? Action { get; set; }

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    private IConsentRegistry? registry;

    protected override void BeginProcessing() => registry = RegistryPaths.OpenForReading(this, RegistryPath, Credential);

    protected override void ProcessRecord()
    {
        if (registry is null) return;
        foreach (var e in registry.History(Id, Since?.ToUniversalTime(), Action))
        {
            WriteObject(new OptOutAuditEntry { Sequence = e.Sequence, At = e.At, User = e.User, Action = e.Action, RecordId = e.RecordId, Reason = e.Reason, Detail = e.Detail });
        }
    }

    protected override void EndProcessing() => registry?.Dispose();
}

/// <summary>
/// Export-OptOutList: writes records to a file another registry or tool can read. Records piped in
/// (Get-OptOut output, anything with an Id) are exported exactly, in order, and nothing else; with
/// no pipeline, the records the filters select (the whole registry with none).
/// </summary>
[Cmdlet(VerbsData.Export, "OptOutList", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(FileInfo))]
public sealed class ExportOptOutListCommand : PSCmdlet
{
    private const string UnsafeOutputPath = "OptOut.UnsafeOutputPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath")]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>
    /// Exactly these records (revoked ones included), in this order; bound from piped records. When
    /// the command is given pipeline input, only what arrives is exported, so an empty pipeline
    /// writes an empty list, never the whole registry.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Csv, Json, Parquet or UrlList; from the extension when omitted.</summary>
    [Parameter]
    public ListFormat? Format { get; set; }

    [Parameter]
    public SwitchParameter IncludeRevoked { get; set; }

    /// <summary>Only records of this claimant (case-insensitive, '*' and '?' wildcards), as Get-OptOut -Claimant.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.ClaimantCompleter))]
    public string? Claimant { get; set; }

    /// <summary>Only records of this kind (Url, Domain, Content).</summary>
    [Parameter]
    public ClaimKind? Kind { get; set; }

    /// <summary>Only records of this decision (Refuse or Grant).</summary>
    [Parameter]
    public Decision? Decision { get; set; }

    /// <summary>Only records of these URLs (after normalisation).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>Only records for this domain or its subdomains (URL and domain claims).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Domain { get; set; }

    /// <summary>Only records created at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Overwrites a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Refuses to overwrite an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<string> selected = [];

    protected override void ProcessRecord()
    {
        if (Id is not null) selected.AddRange(Id);
    }

    protected override void EndProcessing()
    {
        var target = ParameterSetName == "LiteralPath" ? LiteralPath : Path;
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(target);
        var registryPath = RegistryPaths.Resolve(this, RegistryPath);
        try
        {
            // The registry in use, the default index and registry, their siblings and any SQLite
            // file are never an export's target (a list written over registry.db replaced it).
            OutputPathGuard.For([registryPath, OptOut.Core.OptOutPaths.DefaultIndexPath], []).CheckFile(path, "-Path");
        }
        catch (UnsafeOutputPathException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, UnsafeOutputPath, ErrorCategory.InvalidArgument, path, "Name another file for the list."));
            return;
        }
        ListFormat format;
        try
        {
            format = Format ?? OptOutListFormat.FromExtension(path);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, "OptOut.UnknownListFormat", ErrorCategory.InvalidArgument, path, "Pass -Format."));
            return;
        }
        if (File.Exists(path))
        {
            if (NoClobber)
            {
                ThrowTerminatingError(ErrorIds.Record(new IOException($"'{path}' already exists and -NoClobber was given."),
                    "OptOut.FileExists", ErrorCategory.ResourceExists, path, "Remove -NoClobber or choose another path."));
            }
            if (new FileInfo(path).IsReadOnly && !Force)
            {
                ThrowTerminatingError(ErrorIds.Record(new UnauthorizedAccessException($"'{path}' is read-only; pass -Force to overwrite it."),
                    "OptOut.FileReadOnly", ErrorCategory.PermissionDenied, path, "Pass -Force."));
            }
        }
        // Pipeline input (or -Id) selects records; with none, the filters do.
        List<string>? ids = MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(Id)) ? selected : null;
        var what = ids is null ? $"Export the registry as {format}" : $"Export {ids.Count:N0} records as {format}";
        if (!ShouldProcess(path, what)) return;
        if (File.Exists(path) && Force) new FileInfo(path).IsReadOnly = false;

        using var registry = RegistryPaths.OpenForReading(this, RegistryPath, Credential);
        if (ids is not null && registry?.MissingIds(ids) is { Count: > 0 } missing)
        {
            ThrowTerminatingError(ErrorIds.Record(new KeyNotFoundException(
                    $"{missing.Count:N0} of the records given are not in the registry '{registryPath}' (the first: {missing[0]}); nothing was written."),
                "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, missing[0], "Pass the -RegistryPath the records came from."));
        }
        if (ids is { Count: > 0 } && registry is null)
        {
            ThrowTerminatingError(ErrorIds.Record(new KeyNotFoundException($"There is no registry at '{registryPath}', so none of the records given is in it; nothing was written."),
                "OptOut.RecordNotFound", ErrorCategory.ObjectNotFound, ids[0], "Pass the -RegistryPath the records came from."));
        }
        if (ids is { Count: 0 })
        {
            WriteWarning($"No records came down the pipeline: '{path}' holds an empty list. (Without pipeline input, Export-OptOutList exports what its filters select, the whole registry with none.)");
        }
        var filter = new RecordFilter
        {
            Claimant = Claimant,
            Kind = Kind,
            Decision = Decision,
            Domain = Domain,
            Since = Since?.ToUniversalTime(),
            IncludeRevoked = IncludeRevoked,
            IncludeEmbeddings = true,
        };
        if (Claimant is not null && registry is not null) UnknownClaimant.Check(this, registry, Claimant);
        long written;
        try
        {
            var records = registry?.ReadSelection(ids, filter, Url) ?? [];
            // The records are read while the file is written, on this thread: the count is the progress.
            var progress = new ProgressReporter(this, 4, $"Exporting to {path}");
            long counted = 0;
            written = OptOutListFormat.Write(records.Select(r => { progress.Report(++counted, null, "records"); return r; }), path, format);
            progress.Complete();
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, GetOptOutCommand.InvalidDomain, ErrorCategory.InvalidArgument, Domain, "Name a domain such as 'example.com'."));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorIds.Record(e, "OptOut.ExportFailed", ErrorCategory.WriteError, path, null));
            return;
        }
        WriteVerbose($"{written:N0} records written to {path}.");
        if (PassThru) WriteObject(new FileInfo(path));
    }
}

/// <summary>Import-OptOutList: merges a list exported by another registry (or a plain URL list).</summary>
[Cmdlet(VerbsData.Import, "OptOutList", SupportsShouldProcess = true)]
[OutputType(typeof(OptOutListImportResult))]
public sealed class ImportOptOutListCommand : PSCmdlet
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

    [Parameter]
    public string? RegistryPath { get; set; }

    /// <summary>For a PostgreSQL registry: the login (user name and password) instead of the connection string's, PGPASSWORD or ~/.pgpass.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

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
            IReadOnlyList<Core.Registry.ConsentRecord> records;
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
            registry ??= RegistryPaths.Open(this, RegistryPath, Credential);
            var progress = new ProgressReporter(this, 5, $"Importing {path}");
            var result = registry.Merge(records, RegistryPaths.CurrentUser, System.IO.Path.GetFileName(path), IncludeRevocations, path,
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
