using System.Management.Automation;
using OptOut.Core;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-OptOutEnvironment: where the module keeps its data and which native parts it loaded.</summary>
[Cmdlet(VerbsCommon.Get, "OptOutEnvironment")]
[OutputType(typeof(OptOutEnvironment))]
public sealed class GetOptOutEnvironmentCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var assembly = typeof(GetOptOutEnvironmentCommand).Assembly;
        var openCvProblem = Core.Matching.OpenCvAvailability.UnavailableReason;
        WriteObject(new OptOutEnvironment
        {
            ModuleVersion = assembly.GetName().Version?.ToString() ?? "",
            Home = OptOutPaths.Home,
            IndexPath = OptOutPaths.DefaultIndexPath,
            // $env:OPTOUT_REGISTRY when set (a connection string shown without its password).
            RegistryPath = Infrastructure.RegistryAccess.Resolve(this, null),
            TurnedViewCachePath = OptOutPaths.TurnedViewCachePath,
            ModelDirectory = ModuleModels.BundledModelDirectory,
            SqliteVersion = NativeLibraries.SqliteVersion(),
            OnnxRuntimeVersion = NativeLibraries.OnnxRuntimeVersion(),
            OpenCvVersion = openCvProblem is null ? NativeLibraries.OpenCvVersion() : "",
            OpenCvCodePaths = openCvProblem ?? Core.Matching.OpenCvTuning.Choice ?? "",
            LoadContext = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "",
        });
    }
}
