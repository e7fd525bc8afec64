using Xunit;

namespace OptOut.Core.Tests.SiteReservations;

/// <summary>A test that compares with npm's robots-parser: skipped, visibly and with the reason, where it is not installed.</summary>
public sealed class RobotsParserFactAttribute : FactAttribute
{
    public RobotsParserFactAttribute()
    {
        var reason = RobotsParserJs.SkipReason;
        if (reason.Length > 0) Skip = reason;
    }
}
