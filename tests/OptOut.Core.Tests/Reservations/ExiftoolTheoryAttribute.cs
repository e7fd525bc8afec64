using Xunit;

namespace OptOut.Core.Tests.Reservations;

/// <summary>A theory that needs exiftool: skipped, visibly and with the reason, where it is not installed.</summary>
public sealed class ExiftoolTheoryAttribute : TheoryAttribute
{
    public ExiftoolTheoryAttribute()
    {
        if (Exiftool.Executable is null) Skip = Exiftool.SkipReason;
    }
}
