namespace OptOut.Core.Index;

/// <summary>A caption query over <see cref="CaptionQuery.MaxCharacters"/> characters or <see cref="CaptionQuery.MaxTerms"/> distinct terms; nothing was searched.</summary>
public sealed class CaptionQueryTooLargeException : ArgumentException
{
    /// <summary>The query was refused for <paramref name="reason"/>.</summary>
    public CaptionQueryTooLargeException(string reason)
        : base($"The text query is too large to search: {reason}. A query may have up to {CaptionQuery.MaxCharacters:N0} characters and {CaptionQuery.MaxTerms} distinct terms (each word of each distinct word, phrase or prefix; a repeated word counts once).")
    {
    }
}
