using OptOut.Core.Matching;
using OptOut.Core.Reports;
using OptOut.Core.Tests.Matching;
using OptOut.Samples;

namespace OptOut.Core.Tests.Reports;

/// <summary>The report's sentence for a verified copy (<see cref="TransformWords"/>), from the verifier's own evidence on real clip art.</summary>
public sealed class TransformWordsTests
{
    [Fact]
    public void A_watermarked_copy_says_how_much_was_left_out_and_what_the_rest_agrees()
    {
        var verifier = new GeometricVerifier();
        using var original = ClipArt.Load("grapes_01.png");
        using var copy = ClipArt.Copy("grapes_01.png", Alteration.Watermark);
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(copy);
        var verification = verifier.Verify(query, candidate);
        Assert.True(verification.IsVerified, verification.Detail);

        var text = TransformWords.Describe(verification, original.Width, original.Height);

        Assert.StartsWith("Verified copy (", text, StringComparison.Ordinal);
        Assert.Matches(@"outside one region \(\d+% of the picture left out\) (0\.9\d\d|1\.000)", text);

        // A clean copy agrees everywhere: no region is worth naming.
        using var mirrored = ClipArt.Copy("grapes_01.png", Alteration.Mirror);
        using var clean = verifier.Prepare(mirrored);
        var plain = verifier.Verify(query, clean);
        Assert.True(plain.IsVerified, plain.Detail);
        Assert.DoesNotContain("outside one region", TransformWords.Describe(plain, original.Width, original.Height), StringComparison.Ordinal);
    }
}
