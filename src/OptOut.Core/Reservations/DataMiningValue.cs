namespace OptOut.Core.Reservations;

/// <summary>
/// The values of the IPTC Photo Metadata "Data Mining" property (<c>plus:DataMining</c>, IPTC 2023.1)
/// that a rights holder writes into a file.
/// </summary>
public enum DataMiningValue
{
    /// <summary>Data mining, AI/ML training included, is prohibited (DMI-PROHIBITED).</summary>
    Prohibited,

    /// <summary>Prohibited for AI/ML training (DMI-PROHIBITED-AIMLTRAINING).</summary>
    ProhibitedAiMlTraining,

    /// <summary>Prohibited for generative AI/ML training (DMI-PROHIBITED-GENAIMLTRAINING).</summary>
    ProhibitedGenAiMlTraining,

    /// <summary>Prohibited except for search-engine indexing (DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING).</summary>
    ProhibitedExceptSearchEngineIndexing,

    /// <summary>Prohibited, see the constraint text in plus:OtherConstraints (DMI-PROHIBITED-SEECONSTRAINT).</summary>
    ProhibitedSeeConstraint,

    /// <summary>Allowed (DMI-ALLOWED).</summary>
    Allowed,

    /// <summary>Not specified (DMI-UNSPECIFIED).</summary>
    Unspecified,
}
