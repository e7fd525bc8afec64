using System.Management.Automation;
using OptOut.Core;
using OptOut.Infrastructure;

namespace OptOut.Commands;

public sealed class OptOutEnvironment
{
    public string ModuleVersion { get; init; } = "";
    public string Home { get; init; } = "";
    public string IndexPath { get; init; } = "";
    public string RegistryPath { get; init; } = "";

    /// <summary>Where the gate keeps refused pictures' turned views (derived data, safe to delete).</summary>
    public string TurnedViewCachePath { get; init; } = "";
    public string ModelDirectory { get; init; } = "";
    public string SqliteVersion { get; init; } = "";
    public string OnnxRuntimeVersion { get; init; } = "";

    /// <summary>OpenCV's version, empty where its native library does not load.</summary>
    public string OpenCvVersion { get; init; } = "";

    /// <summary>Which of OpenCV's code paths verification uses on this machine and why (or why OpenCV is unavailable).</summary>
    public string OpenCvCodePaths { get; init; } = "";

    /// <summary>The private AssemblyLoadContext the module's assemblies live in.</summary>
    public string LoadContext { get; init; } = "";
}
