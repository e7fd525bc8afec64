using System.Globalization;

namespace OptOut.Core.Matching;

/// <summary>
/// The clauses by which aligned pixels agree on one path of the verifier (the keypoint fit, the stretch,
/// the pixel search): the NCC, the trimmed NCC or the NCC outside one region reaching its threshold (an
/// infinite threshold turns a clause off). One place decides and says what fell short, so the two never
/// drift apart.
/// </summary>
internal sealed record PixelThresholds(double Ncc, double TrimmedNcc, double RegionNcc)
{
    public bool Agree(PixelAgreement a) => a.Ncc >= Ncc || a.TrimmedNcc >= TrimmedNcc || a.RegionNcc >= RegionNcc;

    /// <summary>What fell short, naming only the clauses that are on.</summary>
    public string Shortfall(PixelAgreement a)
    {
        var parts = new List<string> { F($"NCC {a.Ncc:F3} < {Ncc:F2}") };
        if (double.IsFinite(TrimmedNcc)) parts.Add(F($"trimmed {a.TrimmedNcc:F3} < {TrimmedNcc:F3}"));
        if (double.IsFinite(RegionNcc)) parts.Add(F($"outside one region {a.RegionNcc:F3} < {RegionNcc:F2}"));
        return string.Join(" and ", parts);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
