using System.Management.Automation;
using OptOut.Core.OutputSafety;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Export-OptOutList: writes records to a file another registry or tool can read. Records piped in
/// (Get-OptOut output, anything with an Id) are exported exactly, in order, and nothing else; with
/// no pipeline, the records the filters select (the whole registry with none).
/// </summary>
[Cmdlet(VerbsData.Export, "OptOutList", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(FileInfo))]
public sealed class ExportOptOutListCommand : RecordFilterCommandBase
{
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

    /// <summary>Overwrites a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Refuses to overwrite an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

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
        var registryPath = RegistryAccess.Resolve(this, RegistryPath);
        // The registry in use, the default index and registry, their siblings and any SQLite
        // file are never an export's target (a list written over registry.db replaced it).
        OutputFiles.Guard(this, () => OutputPathGuard.For([registryPath, OptOut.Core.OptOutPaths.DefaultIndexPath], []).CheckFile(path, "-Path"),
            path, "Name another file for the list.");
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
        OutputFiles.CheckReplace(this, path, NoClobber, Force);
        // Pipeline input (or -Id) selects records; with none, the filters do.
        List<string>? ids = MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(Id)) ? selected : null;
        var what = ids is null ? $"Export the registry as {format}" : $"Export {ids.Count:N0} records as {format}";
        if (!ShouldProcess(path, what)) return;
        OutputFiles.AllowReplace(path, Force);

        using var registry = RegistryAccess.OpenForReading(this, RegistryPath, Credential);
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
        var filter = Filter(includeRevoked: IncludeRevoked, includeEmbeddings: true);
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
