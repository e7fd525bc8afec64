using System.Management.Automation;
using OptOut.Core.Imaging;
using OptOut.Core.OutputSafety;
using OptOut.Core.Reservations;
using OptOut.Infrastructure;

namespace OptOut.Commands;

/// <summary>Set-ImageReservation: writes the IPTC "no AI training" reservation into image files' XMP, losslessly.</summary>
[Cmdlet(VerbsCommon.Set, "ImageReservation", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(ImageReservationChange))]
public sealed class SetImageReservationCommand : FileInputCommandBase
{
    public const string ReservationWriteFailed = "OptOut.ReservationWriteFailed";
    public const string DestinationExists = "OptOut.DestinationExists";

    private readonly HashSet<string> written = new(RealPath.Comparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
    private string? destinationFolder;

    [Parameter]
    public DataMiningValue DataMining { get; set; } = DataMiningValue.Prohibited;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Constraint { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CopyrightNotice { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Creator { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WebStatement { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter UpdateTimestamp { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long MaxPixels { get; set; } = ImageLimits.DefaultMaxPixels;

    private ImageReservation Reservation => new(DataMining, Constraint, CopyrightNotice, Creator, WebStatement);

    protected override void BeginProcessing()
    {
        try
        {
            Reservation.Validate();
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ErrorIds.Record(e, ReservationWriteFailed, ErrorCategory.InvalidArgument, null, null));
        }
        if (Destination is not null)
        {
            destinationFolder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
            if (File.Exists(destinationFolder))
            {
                ThrowTerminatingError(ErrorIds.Record(new IOException($"-Destination '{destinationFolder}' is a file; name a folder."), ReservationWriteFailed, ErrorCategory.InvalidArgument, destinationFolder, null));
            }
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var (file, error) in ResolveInputFiles(recurse: false))
        {
            if (error is not null)
            {
                WriteError(ErrorIds.ForFile(error, file));
                continue;
            }
            Mark(file);
        }
    }

    private void Mark(string file)
    {
        var target = destinationFolder is null ? file : System.IO.Path.Combine(destinationFolder, System.IO.Path.GetFileName(file));
        var action = destinationFolder is null
            ? $"Write the reservation {DataMiningVocabulary.Code(DataMining)} into the file's XMP"
            : $"Write a copy marked {DataMiningVocabulary.Code(DataMining)} to '{target}'";
        if (!ShouldProcess(file, action)) return;
        try
        {
            if (destinationFolder is not null)
            {
                if (string.Equals(RealPath.Resolve(target), RealPath.Resolve(file), RealPath.Comparison))
                {
                    throw new ReservationWriteException($"-Destination would write the copy of '{file}' over the file itself; name another folder, or leave -Destination out to mark the file in place.");
                }
                // Two sources with one name would silently overwrite each other's copy.
                var real = RealPath.Resolve(target);
                var problem = !written.Add(real) ? $"Another file named '{System.IO.Path.GetFileName(file)}' was already marked into -Destination by this command; mark the folders one at a time."
                    : File.Exists(target) && !Force ? $"'{target}' already exists; use -Force to replace it."
                    : null;
                if (problem is not null)
                {
                    WriteError(ErrorIds.Record(new IOException(problem), DestinationExists, ErrorCategory.ResourceExists, file, null));
                    return;
                }
                OutputPathGuard.For([], [file]).CheckFile(target, "-Destination");
                Directory.CreateDirectory(destinationFolder);
            }
            var result = ImageReservationWriter.Write(file, target, Reservation, new ImageLimits { MaxPixels = MaxPixels }, keepTimestamps: !UpdateTimestamp);
            if (result.BrokeC2paManifest)
            {
                WriteWarning($"'{file}' carries a C2PA manifest: its hash binding no longer matches the changed file, so C2PA validators will report the manifest as invalid. Keep the original if the credentials matter.");
            }
            if (PassThru)
            {
                WriteObject(new ImageReservationChange
                {
                    Path = file,
                    Destination = result.Destination,
                    Format = result.Container.ToString(),
                    DataMining = DataMiningVocabulary.Code(DataMining),
                    UpdatedExistingXmp = result.UpdatedExistingPacket,
                    BrokeC2paManifest = result.BrokeC2paManifest,
                });
            }
        }
        catch (Exception e) when (e is ReservationWriteException or IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorIds.Record(e, ReservationWriteFailed, ErrorCategory.WriteError, file, "The file was not changed."));
        }
    }
}
