namespace OptOut.Core.Matching;

/// <summary>
/// Whether OpenCV's native library loads on this machine, tried once a process: where it does not
/// (a platform without the runtime package, or libgtk-3 missing), copies cannot be verified and the
/// matcher reports candidates as Similar instead of failing. Where it loads, its code paths are chosen
/// for this machine then (<see cref="OpenCvTuning"/>), before any verification or extraction uses it.
/// </summary>
internal static class OpenCvAvailability
{
    private static readonly Lazy<string?> Failure = new(Probe);

    /// <summary>Why verification cannot run here, or null when it can.</summary>
    public static string? UnavailableReason => Failure.Value;

    private static string? Probe()
    {
        try
        {
            _ = NativeLibraries.OpenCvVersion();
            OpenCvTuning.Apply();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            var inner = e is TypeInitializationException { InnerException: { } cause } ? cause : e;
            return $"OpenCV's native library could not be loaded ({inner.GetType().Name}: {inner.Message})";
        }
    }
}
