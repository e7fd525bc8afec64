using System.Globalization;
using System.Text;
using System.Xml;
using OptOut.Core.OutputSafety;

namespace OptOut.Core.Gate;

/// <summary>
/// A JUnit XML report of a check, the format CI systems (GitHub Actions, GitLab, Jenkins, Azure
/// Pipelines) display: one test suite for the dataset, one test case a shard; a shard with
/// violations fails and lists them (the first thousand, then a count, so a badly polluted set
/// still gives a readable report); a shard that could not be read, or only in part, is an error
/// (a shard can be both). Every text from the data goes through <see cref="ReportText.ForXml"/>.
/// </summary>
public sealed class JUnitReport
{
    private const int ListedPerShard = 1000;

    private readonly string dataset;
    private readonly Dictionary<string, ShardEntry> shards = new(StringComparer.Ordinal);
    private readonly DateTime started = DateTime.UtcNow;

    /// <summary>An empty report for <paramref name="dataset"/>, with <paramref name="properties"/> (name, value) written into its test suite.</summary>
    public JUnitReport(string dataset, IReadOnlyDictionary<string, string> properties)
    {
        this.dataset = dataset;
        Properties = properties;
    }

    /// <summary>The test suite's properties (the check's settings).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    private sealed class ShardEntry
    {
        public readonly StringBuilder Listed = new();
        public long Violations;
        public readonly List<string> RowProblems = new();
        public ShardCheckResult? Result;
    }

    private ShardEntry Entry(string shard)
    {
        if (!shards.TryGetValue(shard, out var entry)) shards[shard] = entry = new ShardEntry();
        return entry;
    }

    /// <summary>Lists a violation under its shard's test case.</summary>
    public void Add(Violation violation)
    {
        var entry = Entry(violation.Shard);
        if (entry.Violations++ < ListedPerShard)
        {
            entry.Listed.Append(CultureInfo.InvariantCulture,
                $"row {violation.Row} key {violation.Key} {violation.Rule}: {violation.Detail}{(violation.RecordId is null ? "" : $" [record {violation.RecordId} by {violation.Claimant}]")} {violation.Url}\n");
        }
    }

    /// <summary>Records a row that could not be checked as an error of its shard's test case.</summary>
    public void Add(RowProblem problem)
    {
        var entry = Entry(problem.Shard);
        if (entry.RowProblems.Count < ListedPerShard) entry.RowProblems.Add($"{problem.Target}: {problem.Error.Message}");
    }

    /// <summary>Records what checking a shard found (its counts, and its failure when it could not be read).</summary>
    public void Add(ShardCheckResult result) => Entry(result.Shard).Result = result;

    /// <summary>A path that could not be read as a dataset at all (missing, or no known layout): a case in error.</summary>
    public void AddInputError(string path, Exception error) =>
        Entry(path).Result = new ShardCheckResult(path, "unknown", 0, 0, 0, 0, 0, 0, TimeSpan.Zero, error);

    /// <summary>
    /// Writes the report (through a temporary file, so a reader never sees half of it; one a killed
    /// run left is removed first). A failure names <paramref name="path"/>, never the temporary file.
    /// </summary>
    public void Write(string path)
    {
        path = Path.GetFullPath(path);
        Leftovers.RemoveTemporaryFiles(path);
        var temporary = Leftovers.TemporaryFileFor(path);
        PendingFile? file = null;
        try
        {
            // Held exclusively while it is written: Leftovers leaves it to this run.
            file = AtomicFile.Begin(path, temporary);
            using (var writer = XmlWriter.Create(file.Stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
            {
                var all = shards.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
                int failures = all.Count(s => s.Value.Result?.Failure is null && (s.Value.Violations > 0));
                int errors = all.Count(s => s.Value.Result?.Failure is not null || s.Value.RowProblems.Count > 0 || s.Value.Result?.RowErrors > 0);
                double time = all.Sum(s => s.Value.Result?.Elapsed.TotalSeconds ?? 0);
                writer.WriteStartElement("testsuites");
                writer.WriteAttributeString("name", "OptOut training-set check");
                WriteCounts(writer, all.Count, failures, errors, time);
                writer.WriteStartElement("testsuite");
                writer.WriteAttributeString("name", ReportText.ForXml(dataset));
                WriteCounts(writer, all.Count, failures, errors, time);
                writer.WriteAttributeString("timestamp", started.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
                writer.WriteStartElement("properties");
                foreach (var (name, value) in Properties)
                {
                    writer.WriteStartElement("property");
                    writer.WriteAttributeString("name", ReportText.ForXml(name));
                    writer.WriteAttributeString("value", ReportText.ForXml(value));
                    writer.WriteEndElement();
                }
                writer.WriteEndElement();
                foreach (var (shard, entry) in all) WriteCase(writer, shard, entry);
                writer.WriteEndElement();
                writer.WriteEndElement();
            }
            file.Commit();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the report '{path}': {e.Message.Replace(temporary, path)}", e);
        }
        finally
        {
            // Not committed: the temporary file goes, and a report already at the path stays as it was.
            file?.Dispose();
        }
    }

    private void WriteCase(XmlWriter writer, string shard, ShardEntry entry)
    {
        var result = entry.Result;
        writer.WriteStartElement("testcase");
        writer.WriteAttributeString("classname", ReportText.ForXml(dataset));
        writer.WriteAttributeString("name", ReportText.ForXml(shard));
        writer.WriteAttributeString("time", (result?.Elapsed.TotalSeconds ?? 0).ToString("0.000", CultureInfo.InvariantCulture));
        if (result?.Failure is { } failure)
        {
            writer.WriteStartElement("error");
            writer.WriteAttributeString("message", ReportText.ForXml($"the shard could not be read: {failure.Message}"));
            writer.WriteAttributeString("type", failure.GetType().Name);
            writer.WriteString(ReportText.ForXml(failure.ToString()));
            writer.WriteEndElement();
        }
        else if (entry.RowProblems.Count > 0 || result?.RowErrors > 0)
        {
            // Read only in part: an error even when the rows that were read also hold violations.
            writer.WriteStartElement("error");
            writer.WriteAttributeString("message", $"{Math.Max(result?.RowErrors ?? 0, entry.RowProblems.Count):N0} rows could not be read or checked completely");
            writer.WriteAttributeString("type", "OptOut.RowProblem");
            writer.WriteString(ReportText.ForXml(string.Join("\n", entry.RowProblems)));
            writer.WriteEndElement();
        }
        if (result?.Failure is null && entry.Violations > 0)
        {
            writer.WriteStartElement("failure");
            writer.WriteAttributeString("message",
                $"{entry.Violations:N0} violations in {result?.ViolatingRows ?? 0:N0} of {result?.RowsChecked ?? 0:N0} rows checked");
            writer.WriteAttributeString("type", "OptOut.Violation");
            var listed = entry.Listed.ToString();
            if (entry.Violations > ListedPerShard) listed += $"... and {entry.Violations - ListedPerShard:N0} more\n";
            writer.WriteString(ReportText.ForXml(listed));
            writer.WriteEndElement();
        }
        if (result is not null)
        {
            writer.WriteElementString("system-out",
                $"{result.Rows:N0} rows, {result.RowsChecked:N0} checked, {result.RowsSkipped:N0} skipped (not downloaded), {result.ViolatingRows:N0} violating, layout {result.Layout}");
        }
        writer.WriteEndElement();
    }

    private static void WriteCounts(XmlWriter writer, int tests, int failures, int errors, double time)
    {
        writer.WriteAttributeString("tests", tests.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("errors", errors.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("skipped", "0");
        writer.WriteAttributeString("time", time.ToString("0.000", CultureInfo.InvariantCulture));
    }
}
