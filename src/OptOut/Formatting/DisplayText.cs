namespace OptOut.Formatting;

/// <summary>
/// Shortens text for the module's table views (OptOut.Format.ps1xml). A URL is told apart by its host
/// and its file name, so those are kept and the middle is elided; the table's own truncation would cut
/// the end, where the file name is.
/// </summary>
public static class DisplayText
{
    private const char Ellipsis = '…';

    /// <summary>The width left for a table's last column when the others take <paramref name="reserved"/> characters.</summary>
    /// <remarks>
    /// A view cannot know the width it is rendered at (Out-String -Width): the host's width, which
    /// Format-Table cuts the last column to, is used, else the 120 columns the views are laid out for.
    /// </remarks>
    public static int LastColumnWidth(int hostWidth, int reserved, int minimum, int maximum)
    {
        var width = hostWidth > 0 ? hostWidth : 120;
        return Math.Clamp(width - reserved, minimum, maximum);
    }

    /// <summary>The URL without its scheme, at most <paramref name="width"/> characters: host, an ellipsis, the end of the path.</summary>
    public static string Url(string? url, int width)
    {
        if (string.IsNullOrEmpty(url)) return "";
        var text = url;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && scheme <= 10) text = text[(scheme + 3)..];
        if (text.Length <= width) return text;
        var slash = text.IndexOf('/');
        var host = slash > 0 ? text[..slash] : text;
        var tail = slash > 0 ? text[(text.LastIndexOf('/') + 1)..] : "";
        // Host and file name both fit: "host/…/file".
        if (tail.Length > 0 && host.Length + tail.Length + 3 <= width) return $"{host}/{Ellipsis}/{tail}";
        return ElideMiddle(text, width);
    }

    /// <summary>At most <paramref name="width"/> characters: the start and the end, an ellipsis between.</summary>
    public static string ElideMiddle(string? text, int width)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= width) return text ?? "";
        if (width <= 1) return Ellipsis.ToString();
        var head = (width - 1) / 2;
        var tail = width - 1 - head;
        return string.Concat(text.AsSpan(0, head), Ellipsis.ToString(), text.AsSpan(text.Length - tail));
    }

    /// <summary>One line of at most <paramref name="width"/> characters (line breaks and tabs become spaces).</summary>
    public static string OneLine(string? text, int width)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= width ? line : string.Concat(line.AsSpan(0, Math.Max(0, width - 1)), Ellipsis.ToString());
    }
}
