using System.Globalization;
using System.Text;
using System.Xml;
using OptOut.Core.OutputSafety;

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
    private readonly PendingFile file;
    private readonly StreamWriter writer;

    /// <summary>Starts the report for <paramref name="path"/> (written to a temporary file until <see cref="Commit"/>).</summary>
    public RemovalReport(string path)
    {
        this.path = Path.GetFullPath(path);
        Leftovers.RemoveTemporaryFiles(this.path);
        temporary = Leftovers.TemporaryFileFor(this.path);
        try
        {
            // Held exclusively while it is written: Leftovers leaves it to this run.
            file = AtomicFile.Begin(this.path, temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the removal report '{this.path}': {e.Message.Replace(temporary, this.path)}", e);
        }
        writer = new StreamWriter(file.Stream, new UTF8Encoding(false), bufferSize: -1, leaveOpen: true);
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
            writer.Flush();
            file.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the removal report '{path}': {e.Message.Replace(temporary, path)}", e);
        }
    }

    /// <summary>Not committed (the run failed or was stopped): the temporary file goes and a report already at the path stays as it was.</summary>
    public void Dispose()
    {
        // Not the writer: it leaves the stream open, so disposing it again would flush into a closed file;
        // what it still buffers belongs to a report that is not published.
        file.Dispose();
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
