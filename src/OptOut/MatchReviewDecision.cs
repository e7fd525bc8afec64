namespace OptOut;

/// <summary>Which reviewed matches Import-MatchReview writes.</summary>
public enum MatchReviewDecision
{
    /// <summary>The matches marked "mine": the ones to opt out.</summary>
    Mine,

    /// <summary>The matches marked "not mine".</summary>
    NotMine,

    /// <summary>Every reviewed match.</summary>
    All,
}
