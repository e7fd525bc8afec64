using System.Management.Automation;
using OptOut.Core.OutputSafety;

namespace OptOut.Infrastructure;

/// <summary>
/// The rules every cmdlet that writes a file applies before it writes: the guard against outputs that
/// would replace what the user owns (<see cref="OutputPathGuard"/>), and for the cmdlets that take
/// them, -NoClobber (never replace a file) and -Force (replace a read-only one). One place, so the
/// cmdlets refuse the same things with the same error ids.
/// </summary>
internal static class OutputFiles
{
    /// <summary>
    /// Runs <paramref name="checks"/> (the guard's CheckFile/CheckFolder calls); a refusal stops the
    /// command with <see cref="ErrorIds.UnsafeOutputPath"/>, targeting <paramref name="target"/>, else the refused path.
    /// </summary>
    public static void Guard(PSCmdlet cmdlet, Action checks, string? target, string advice)
    {
        try
        {
            checks();
        }
        catch (UnsafeOutputPathException e)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(e, ErrorIds.UnsafeOutputPath, ErrorCategory.InvalidArgument, target ?? e.OutputPath, advice));
        }
    }

    /// <summary>Before ShouldProcess: an existing <paramref name="path"/> is refused with -NoClobber, and when read-only without -Force.</summary>
    public static void CheckReplace(PSCmdlet cmdlet, string path, SwitchParameter noClobber, SwitchParameter force)
    {
        if (!File.Exists(path)) return;
        if (noClobber)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(new IOException($"'{path}' already exists and -NoClobber was given."),
                ErrorIds.FileExists, ErrorCategory.ResourceExists, path, "Remove -NoClobber or choose another path."));
        }
        if (new FileInfo(path).IsReadOnly && !force)
        {
            cmdlet.ThrowTerminatingError(ErrorIds.Record(new UnauthorizedAccessException($"'{path}' is read-only; pass -Force to overwrite it."),
                ErrorIds.FileReadOnly, ErrorCategory.PermissionDenied, path, "Pass -Force."));
        }
    }

    /// <summary>After ShouldProcess agreed: with -Force, a read-only <paramref name="path"/> is made writable so it can be replaced.</summary>
    public static void AllowReplace(string path, SwitchParameter force)
    {
        if (force && File.Exists(path)) new FileInfo(path).IsReadOnly = false;
    }
}
