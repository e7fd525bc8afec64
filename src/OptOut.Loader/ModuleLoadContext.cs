using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace OptOut.Loader;

/// <summary>
/// A private load context for the module's own assemblies and their dependencies, so that a
/// different Microsoft.Data.Sqlite, ImageSharp or ONNX Runtime already loaded in the session does
/// not conflict, and so that native libraries are found in the module's runtimes/ folder (PowerShell
/// does not read a module's .deps.json; <see cref="AssemblyDependencyResolver"/> does).
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    // One context per main assembly path for the whole process: every runspace (ForEach-Object
    // -Parallel, Import-Module -Force) must see the same types, or objects could not cross them.
    private static readonly ConcurrentDictionary<string, ModuleLoadContext> Contexts = new(StringComparer.Ordinal);

    private readonly AssemblyDependencyResolver resolver;

    private ModuleLoadContext(string mainAssemblyPath) : base($"OptOut:{mainAssemblyPath}", isCollectible: false)
    {
        resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    /// <summary>Loads the module's main assembly (and, on demand, its dependencies) into the private context.</summary>
    public static Assembly LoadMainAssembly(string mainAssemblyPath)
    {
        var fullPath = Path.GetFullPath(mainAssemblyPath);
        var context = Contexts.GetOrAdd(fullPath, p => new ModuleLoadContext(p));
        return context.LoadFromAssemblyName(AssemblyName.GetAssemblyName(fullPath));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // What the module does not ship (PowerShell itself, the shared framework) comes from the
        // default context, so cmdlet types bind to the host's System.Management.Automation.
        var path = resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
