using Xunit;

namespace OptOut.Core.Tests.Reservations;

/// <summary>A test that needs exiftool: skipped, visibly and with the reason, where it is not installed.</summary>
public sealed class ExiftoolFactAttribute : FactAttribute
{
    public ExiftoolFactAttribute()
    {
        if (Exiftool.Executable is null) Skip = Exiftool.SkipReason;
    }
}
