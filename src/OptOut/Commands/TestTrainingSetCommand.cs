using System.Diagnostics;
using System.Management.Automation;
using OptOut.Core.Datasets;
using OptOut.Core.Embedding;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Gate;
using OptOut.Core.Imaging;
using OptOut.Core.Index;
using OptOut.Core.OutputSafety;
using OptOut.Core.Registry;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// Test-TrainingSet: checks a training set against the registry, streaming, without importing it.
/// Writes a violation object a finding, or with -Quiet only $true (clean) or $false.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "TrainingSet", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TrainingSetViolation))]
[OutputType(typeof(bool))]
public sealed class TestTrainingSetCommand : TrainingSetGateCommandBase
{
    private readonly List<ErrorRecord> inputErrors = new();

    /// <summary>Return only $true when the set is clean (every shard read, no violation), else $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Write a JUnit XML report here (a test case a shard) for CI systems to display.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReportPath { get; set; }

    protected override void OnInputError(ErrorRecord record)
    {
        inputErrors.Add(record);
        base.OnInputError(record);
    }

    protected override void EndProcessing()
    {
        try
        {
            Check();
        }
        catch (Exception) when (Quiet && !Cancellation.IsCancellationRequested)
        {
            // -Quiet answers $true only for a check that completed and found the set clean: one that
            // stopped on an error answers $false first, then the error terminates the command.
            WriteVerdict(false);
            throw;
        }
    }

    private void WriteReport(JUnitReport report, string reportPath)
    {
        try
        {
            report.Write(reportPath);
        }
        catch (IOException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ReportWriteFailed, ErrorCategory.WriteError, reportPath, "Check that the report's folder exists and can be written."));
        }
    }

    private bool verdictWritten;

    private void WriteVerdict(bool clean)
    {
        if (verdictWritten) return;
        verdictWritten = true;
        try
        {
            WriteObject(clean);
        }
        catch (PipelineStoppedException)
        {
            // The pipeline is already being torn down (Ctrl+C): there is no one left to answer.
        }
    }

    private void Check()
    {
        var reportPath = ReportPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReportPath);
        if (reportPath is not null)
        {
            OutputFiles.Guard(this, () => OutputGuard().CheckFile(reportPath, "-ReportPath"), reportPath, "Name another file for the report.");
        }
        if (Paths.Count == 0)
        {
            // No path named a dataset: the CI report step still gets a file that says why the gate failed.
            if (reportPath is not null)
            {
                var empty = new JUnitReport(Name ?? "(no dataset)", new Dictionary<string, string> { ["policy"] = Policy.ToString(), ["paths"] = "" });
                foreach (var error in inputErrors) empty.AddInputError(error.TargetObject?.ToString() ?? "", error.Exception);
                WriteReport(empty, reportPath);
            }
            if (Quiet) WriteVerdict(false);
            return;
        }
        var shards = DiscoverShards();
        var rules = LoadRules();
        // -Quiet without a report needs only to know whether anything was found.
        var settings = Settings(rules) with { ReportViolations = !Quiet || reportPath is not null };
        // The claimants' prepared pictures hold native frames: released when the check ends, not by the finalizer.
        using var contentPictures = settings.ContentPictures;
        var gate = new TrainingSetGate(settings);
        var report = reportPath is null ? null : new JUnitReport(settings.Dataset, new Dictionary<string, string>
        {
            ["policy"] = Policy.ToString(),
            ["registry"] = RegistryAccess.Resolve(this, RegistryPath),
            ["activeClaims"] = rules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["paths"] = string.Join(";", Paths),
        });

        // A path that held no dataset is a case in error too: the CI page must show why the gate failed.
        foreach (var error in inputErrors) report?.AddInputError(error.TargetObject?.ToString() ?? "", error.Exception);
        var verdict = RunGate(gate, shards.Count, $"Checking '{settings.Dataset}' against the registry ({Policy})", e =>
        {
            switch (e)
            {
                case ViolationsFound found:
                    foreach (var violation in found.Violations)
                    {
                        report?.Add(violation);
                        if (!Quiet) WriteObject(TrainingSetViolation.From(violation));
                    }
                    break;
                case RowProblem problem:
                    report?.Add(problem);
                    break;
                case ShardChecked done:
                    report?.Add(done.Result);
                    break;
            }
        }, observe => gate.Check(shards, inputErrors.Count, ThrottleLimit, ProgressTick, observe, Cancellation));

        if (verdict.Cancelled) return;
        if (report is not null) WriteReport(report, reportPath!);
        WriteVerbose($"{verdict.Rows:N0} rows in {verdict.Shards} shards: {verdict.Violations:N0} violations in {verdict.ViolatingRows:N0} rows, " +
            $"{verdict.RowErrors:N0} rows not fully checked, {verdict.IncompleteShards + verdict.UnreadPaths} shards or paths not read completely. {(verdict.Clean ? "Clean." : "Not clean.")}");
        if (Quiet) WriteVerdict(verdict.Clean);
    }
}
