using OptOut.Core.Matching;
using OptOut.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace OptOut.Core.Tests.Matching;

/// <summary>
/// A keypoint fit that turns the picture further than <see cref="VerifierOptions.MaxWeakFitRotation"/>
/// verifies only when it is strong: an arrow turned a half turn is an arrow pointing the other way, while
/// a detailed drawing turned a quarter turn is still the drawing.
/// </summary>
public class TurnedFitTests(ITestOutputHelper output)
{
    private static readonly VerifierOptions Turned20 = VerifierOptions.Default;

    [Fact]
    public void The_default_limit_is_twenty_degrees() => Assert.Equal(20, VerifierOptions.Default.MaxWeakFitRotation);

    private Verification VerifyTurned(VerifierOptions options, string name, RotateMode turn)
    {
        using var original = ClipArt.Load(name);
        using var turnedPixels = original.Pixels.Clone(x => x.Rotate(turn));
        using var turned = ClipArt.Reload(turnedPixels, lossless: true);
        var verifier = new GeometricVerifier(options);
        using var query = verifier.Prepare(original);
        using var candidate = verifier.Prepare(turned);
        var result = verifier.Verify(query, candidate);
        output.WriteLine($"{name} turned {turn}: {result.IsVerified} {result.Reason} {result.Inliers} inliers, {result.RotationDegrees:F1} deg; {result.Detail}");
        return result;
    }

    [Fact]
    public void An_arrow_turned_a_half_turn_does_not_verify_on_a_weak_fit()
    {
        var without = VerifyTurned(VerifierOptions.Default with { MaxWeakFitRotation = double.PositiveInfinity }, "arrow-down-red_benji_par_01.png", RotateMode.Rotate180);
        Assert.True(without.IsVerified, "without the clause the turned arrow aligns and agrees: " + without.Detail);
        Assert.True(Math.Abs(without.RotationDegrees) > 170, without.Detail);

        var with = VerifyTurned(Turned20, "arrow-down-red_benji_par_01.png", RotateMode.Rotate180);
        Assert.False(with.IsVerified, with.Detail);
        Assert.Equal(NotVerifiedReason.TurnedWeakFit, with.Reason);
        Assert.Contains("must be strong", with.Detail);
    }

    [Fact]
    public void A_detailed_drawing_turned_a_quarter_turn_still_verifies_as_a_strong_fit()
    {
        var result = VerifyTurned(Turned20, "grapes_01.png", RotateMode.Rotate90);

        Assert.True(result.IsVerified, result.Detail);
        Assert.Equal(VerificationMethod.Geometric, result.Method);
        Assert.True(Math.Abs(Math.Abs(result.RotationDegrees) - 90) < 2, result.Detail);
        Assert.True(result.Inliers >= Turned20.StrongFitInliers, result.Detail);
    }

    /// <summary>
    /// Copies of pictures that look the same turned a half turn (an icon of a matrix, the Union Jack): their
    /// weak fits came out turned 180 degrees in the eighth calibration round and must still verify.
    /// </summary>
    [Theory]
    [InlineData("math_matrix.png", Alteration.Crop)]
    [InlineData("math_matrix.png", Alteration.Pad)]
    [InlineData("united_kingdom.png", Alteration.Pad)]
    public void A_copy_of_a_half_turn_symmetric_picture_still_verifies(string name, Alteration alteration)
    {
        var result = ClipArt.VerifyCopy(new GeometricVerifier(Turned20), name, alteration);
        output.WriteLine($"{name} {alteration}: {result.IsVerified} {result.Method} {result.Reason} {result.Inliers} inliers, {result.RotationDegrees:F1} deg; {result.Detail}");

        Assert.True(result.IsVerified, result.Detail);
    }

    [Fact]
    public void A_half_turn_symmetric_picture_agrees_with_itself_turned_and_an_arrow_does_not()
    {
        var verifier = new GeometricVerifier(Turned20);
        double Itself(string name, double degrees)
        {
            using var decoded = ClipArt.Load(name);
            using var picture = verifier.Prepare(decoded);
            return TurnSymmetry.Agreement(picture.GrayOf(mirrored: false), picture.ContentMaskOf(mirrored: false), degrees, Turned20.BlurSigma, Turned20.MaxRegionShare);
        }

        double matrix = Itself("math_matrix.png", 180), flag = Itself("united_kingdom.png", 180);
        double arrow = Itself("arrow-down-red_benji_par_01.png", 180), grapes = Itself("grapes_01.png", 90);
        output.WriteLine($"with itself turned: matrix {matrix:F3}, Union Jack {flag:F3}, arrow {arrow:F3}, grapes a quarter turn {grapes:F3}");

        Assert.True(matrix >= Turned20.MinNcc, $"matrix {matrix:F3}");
        Assert.True(flag >= Turned20.MinNcc, $"Union Jack {flag:F3}");
        Assert.True(arrow < 0.9, $"arrow {arrow:F3}");
        Assert.True(grapes < 0.9, $"grapes {grapes:F3}");
    }

    [Fact]
    public void The_clause_refuses_a_negative_limit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MaxWeakFitRotation = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeometricVerifier(VerifierOptions.Default with { MaxWeakFitRotation = double.NaN }));
    }
}
