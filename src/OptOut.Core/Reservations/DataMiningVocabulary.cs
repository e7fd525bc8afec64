namespace OptOut.Core.Reservations;

/// <summary>The IPTC Data Mining vocabulary URIs written for each <see cref="DataMiningValue"/>.</summary>
internal static class DataMiningVocabulary
{
    private const string Prefix = "http://ns.useplus.org/ldf/vocab/";

    public static string Code(DataMiningValue value) => value switch
    {
        DataMiningValue.Prohibited => "DMI-PROHIBITED",
        DataMiningValue.ProhibitedAiMlTraining => "DMI-PROHIBITED-AIMLTRAINING",
        DataMiningValue.ProhibitedGenAiMlTraining => "DMI-PROHIBITED-GENAIMLTRAINING",
        DataMiningValue.ProhibitedExceptSearchEngineIndexing => "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        DataMiningValue.ProhibitedSeeConstraint => "DMI-PROHIBITED-SEECONSTRAINT",
        DataMiningValue.Allowed => "DMI-ALLOWED",
        DataMiningValue.Unspecified => "DMI-UNSPECIFIED",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string Uri(DataMiningValue value) => Prefix + Code(value);
}
