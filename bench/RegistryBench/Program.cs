using System.Diagnostics;
using System.Globalization;
using OptOut.Core.Registry;

// Adds every line of a URL file to a registry as the cmdlet does (claims checked and normalised
// one by one, written in batches of 50,000 through the engine), with no PowerShell in the way.
// Prints one line: "<records> records in <seconds> s: <records/s> records/s (engine); making
// records <s> s, writing <s> s" (the two phases run one after the other here; the cmdlet overlaps
// them, writing one batch on a thread of its own while the pipeline makes the next).
//
//   RegistryBench <registry: file path or PostgreSQL connection string> <urls.txt>

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: RegistryBench <registry> <urls.txt>");
    return 2;
}
const int BatchSize = 50_000;
var clock = Stopwatch.StartNew();
using var registry = ConsentRegistries.Open(RegistryLocation.Parse(args[0]), Environment.UserName);
long count = 0, added = 0;
var batch = new List<StoredClaim>(BatchSize);
var writing = new Stopwatch();
void Flush()
{
    writing.Start();
    added += registry.AddRecords(batch, Environment.UserName).Count(o => o.Added);
    writing.Stop();
    batch.Clear();
}
foreach (var line in File.ReadLines(args[1]))
{
    // Stamped one by one, as the cmdlet stamps them (ids are time-ordered).
    batch.Add(RegistryStore.NewRecord(new NewClaim { Decision = Decision.Refuse, Kind = ClaimKind.Url, Target = line.Trim(), Claimant = "bench" }, DateTime.UtcNow));
    count++;
    if (batch.Count == BatchSize) Flush();
}
if (batch.Count > 0) Flush();
double seconds = clock.Elapsed.TotalSeconds, write = writing.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{count} records ({added} added) in {seconds:F2} s: {count / seconds:F0} records/s (engine); making records {seconds - write:F2} s, writing {write:F2} s"));
return 0;
