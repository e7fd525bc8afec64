namespace OptOut.Completion;

/// <summary>A completed value as the command line needs it: single-quoted when it holds a space or a character PowerShell would read as syntax.</summary>
internal static class CompletionText
{
    public static string Quote(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or ';' or ',' or '(' or ')' or '{' or '}' or '&' or '|' or '@' or '#')
            ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : value;
}
