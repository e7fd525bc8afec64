using System.Text;

namespace OptOut.Core.Index;

/// <summary>
/// One phrase of a caption query: words that must follow each other, the last one a prefix when
/// <see cref="Prefix"/>. <see cref="Repeats"/>: how many times the query gave it (see <see cref="CaptionQuery.Parse"/>).
/// </summary>
internal sealed record CaptionPhrase(string Words, bool Prefix)
{
    public int Repeats { get; init; } = 1;

    public string ToFts5() => "\"" + Words + "\"" + (Prefix ? "*" : "");
}
