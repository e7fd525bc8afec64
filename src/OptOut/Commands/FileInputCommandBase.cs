using System.Management.Automation;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>
/// A cmdlet that reads files named by <c>-Path</c> (wildcards) or <c>-LiteralPath</c> (taken as
/// written, also bound from <c>PSPath</c> of piped items): the two parameter sets and how the
/// names become files, shared so every such cmdlet binds them the same way.
/// </summary>
public abstract class FileInputCommandBase : PSCmdlet
{
    /// <summary>The parameter set of <c>-Path</c>.</summary>
    protected const string PathSet = "Path";

    /// <summary>The parameter set of <c>-LiteralPath</c>.</summary>
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>Files or folders, with wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Files or folders, taken exactly as written.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The files the bound -Path or -LiteralPath name, each with the error that kept it from resolving.</summary>
    protected IEnumerable<(string Path, Exception? Error)> ResolveInputFiles(bool recurse)
    {
        bool literal = ParameterSetName == LiteralPathSet;
        return new FilePathResolver(this, recurse).Resolve(literal ? LiteralPath : Path, literal);
    }
}
