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
        WriteObject(new OptOutEnvironment
        {
            ModuleVersion = assembly.GetName().Version?.ToString() ?? "",
            Home = OptOutPaths.Home,
            IndexPath = OptOutPaths.DefaultIndexPath,
            // $env:OPTOUT_REGISTRY when set (a connection string shown without its password).
            RegistryPath = Infrastructure.RegistryPaths.Resolve(this, null),
            ModelDirectory = ModuleModels.BundledModelDirectory,
            SqliteVersion = NativeLibraries.SqliteVersion(),
            OnnxRuntimeVersion = NativeLibraries.OnnxRuntimeVersion(),
            LoadContext = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "",
        });
    }
}

public sealed class OptOutEnvironment
{
    public string ModuleVersion { get; init; } = "";
    public string Home { get; init; } = "";
    public string IndexPath { get; init; } = "";
    public string RegistryPath { get; init; } = "";
    public string ModelDirectory { get; init; } = "";
    public string SqliteVersion { get; init; } = "";
    public string OnnxRuntimeVersion { get; init; } = "";

    /// <summary>The private AssemblyLoadContext the module's assemblies live in.</summary>
    public string LoadContext { get; init; } = "";
}
