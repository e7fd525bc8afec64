using System.Diagnostics;

namespace OptOut.Core.Tests.Reservations;

/// <summary>
/// Debian's ImageMagick 6 (/usr/bin/convert, installed by build.ps1 for the tests): an independent
/// decoder of what OptOut writes. Its own XMP check warns about the XMP of every WebP (also of the
/// fixture exiftool and webpmux wrote), so warnings are not errors here; the decoded pixels are compared.
/// </summary>
internal static class ImageMagick
{
    private const string Convert = "/usr/bin/convert";

    public static bool Installed => File.Exists(Convert) && File.Exists("/usr/bin/identify");

    /// <summary>Every frame decoded to raw RGBA bytes, and the exit code.</summary>
    public static (int ExitCode, byte[] Pixels, string Errors) Decode(string file)
    {
        var start = new ProcessStartInfo(Convert) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { file, "rgba:-" }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var pixels = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(pixels);
        process.WaitForExit();
        return (process.ExitCode, pixels.ToArray(), errors.Result);
    }
}
