using System.Diagnostics;
using System.Management.Automation;

namespace OptOut.Infrastructure;

/// <summary>
/// A throttled progress bar: appears after half a second, updates at most four times a second
/// (more often would cost more than the work), and is always completed at the end.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan FirstAfter = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Cmdlet cmdlet;
    private readonly int activityId;
    private readonly string activity;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan lastShown = TimeSpan.Zero;
    private bool shown;

    public ProgressReporter(Cmdlet cmdlet, int activityId, string activity)
    {
        this.cmdlet = cmdlet;
        this.activityId = activityId;
        this.activity = activity;
    }

    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>Shows <paramref name="done"/> items (of <paramref name="total"/> when known) and the rate.</summary>
    public void Report(long done, long? total = null, string? unit = "images", string? extra = null)
    {
        var now = clock.Elapsed;
        if (now < FirstAfter || (shown && now - lastShown < Interval))
        {
            return;
        }
        lastShown = now;
        shown = true;
        double rate = done / Math.Max(now.TotalSeconds, 1e-3);
        // A new record each time: hosts that keep the records (Streams.Progress, jobs) see each state.
        var record = new ProgressRecord(activityId, activity, "Working");
        record.StatusDescription = total is > 0
            ? $"{done:N0} of {total:N0} {unit}, {rate:N1}/s{extra}"
            : $"{done:N0} {unit}, {rate:N1}/s{extra}";
        record.PercentComplete = total is > 0 ? (int)Math.Min(100, 100 * done / total.Value) : -1;
        record.SecondsRemaining = total is > 0 && rate > 0 ? (int)((total.Value - done) / rate) : -1;
        cmdlet.WriteProgress(record);
    }

    public void Complete()
    {
        if (!shown)
        {
            return;
        }
        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
        shown = false;
    }
}
