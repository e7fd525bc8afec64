using System.Management.Automation;
using OptOut.Core.Signals;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Get-ImageReservation: the AI-training reservations an image file carries, read as the gate reads them.</summary>
[Cmdlet(VerbsCommon.Get, "ImageReservation", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ImageReservationInfo))]
public sealed class GetImageReservationCommand : FileInputCommandBase
{

    // Reservations live in the metadata, but a damaged file is read whole like any other: bounded by this.
    private const long MaxFileBytes = 1L << 30;

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (file, error) in ResolveInputFiles(Recurse))
        {
            if (error is not null)
            {
                WriteError(ErrorIds.ForFile(error, file));
                continue;
            }
            try
            {
                var info = new FileInfo(file);
                if (info.Length > MaxFileBytes) throw new IOException($"'{file}' is larger than {MaxFileBytes:N0} bytes; it was not read.");
                var signals = EmbeddedSignals.Read(File.ReadAllBytes(file));
                var first = signals.FirstOrDefault(s => s.ProhibitsTraining) ?? (signals.Count > 0 ? signals[0] : null);
                WriteObject(new ImageReservationInfo { Path = file, ProhibitsTraining = signals.Any(s => s.ProhibitsTraining), Value = first?.Value, Signals = signals });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorIds.ForFile(e, file));
            }
        }
    }
}
