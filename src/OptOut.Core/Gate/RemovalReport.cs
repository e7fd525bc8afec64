using System.Globalization;
using System.Text;
using System.Xml;

namespace OptOut.Core.Gate;

/// <summary>
/// The removal report written beside a cleaned copy: one CSV line a finding (shard, row, key, URL,
/// rule, record, claimant, detail), streamed as findings arrive, published only when complete.
/// Values go through <see cref="ReportText.ForCsv"/>; a temporary file a killed run left is removed
/// first, and a failure names the report's path, never the temporary file.
/// </summary>
public sealed class RemovalReport : IDisposable
{
    private readonly string path;
    private readonly string temporary;
    private readonly StreamWriter writer;
    private bool committed;

    /// <summary>Starts the report for <paramref name="path"/> (written to a temporary file until <see cref="Commit"/>).</summary>
    public RemovalReport(string path)
    {
        this.path = Path.GetFullPath(path);
        Leftovers.RemoveTemporaryFiles(this.path);
        temporary = Leftovers.TemporaryFileFor(this.path);
        try
        {
            writer = new StreamWriter(Leftovers.CreateLocked(temporary), new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the removal report '{this.path}': {e.Message.Replace(temporary, this.path)}", e);
        }
        writer.WriteLine("Shard,Row,Key,Url,Rule,RecordId,Claimant,Detail");
    }

    /// <summary>Writes the line of a violation found in the shard named <paramref name="shardName"/>.</summary>
    public void Add(Violation v, string shardName) =>
        writer.WriteLine(string.Join(',', Csv(shardName), v.Row.ToString(CultureInfo.InvariantCulture), Csv(v.Key), Csv(v.Url), v.Rule.ToString(),
            Csv(v.RecordId), Csv(v.Claimant), Csv(v.Detail)));

    /// <summary>Publishes the complete report at its path.</summary>
    public void Commit()
    {
        try
        {
            writer.Dispose();
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the removal report '{path}': {e.Message.Replace(temporary, path)}", e);
        }
        committed = true;
    }

    /// <summary>Closes the report; an uncommitted one is deleted.</summary>
    public void Dispose()
    {
        writer.Dispose();
        if (!committed && File.Exists(temporary)) File.Delete(temporary);
    }

    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        value = ReportText.ForCsv(value);
        // Leading =, +, -, @ (or a tab or carriage return before one) would run as a formula in a
        // spreadsheet: quote with a leading apostrophe.
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
