// TEMPORARY while the signals branch is written: replaced by src/OptOut.Core/Signals on merge.
namespace OptOut.Core.Signals;
public sealed record EmbeddedSignal(string Source, string Value, bool ProhibitsTraining, string Detail);
public static class EmbeddedSignals
{
    public static IReadOnlyList<EmbeddedSignal> Read(ReadOnlySpan<byte> file) => [];
}
