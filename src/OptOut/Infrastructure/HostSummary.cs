using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>
/// A command's closing summary, shown to the person at the console as Write-Host shows text (the
/// information stream with the PSHOST tag) and never written to the pipeline, so scripts get only
/// objects; -InformationAction Ignore hides it, and -InformationVariable captures it.
/// </summary>
internal static class HostSummary
{
    public const string Tag = "OptOut.Summary";

    public static void Write(Cmdlet cmdlet, string message) =>
        cmdlet.WriteInformation(new HostInformationMessage { Message = message }, ["PSHOST", Tag]);
}
