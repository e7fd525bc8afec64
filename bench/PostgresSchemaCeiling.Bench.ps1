<#
.SYNOPSIS
    What PostgreSQL itself ingests on this machine: psql \copy of 1M URL claims into the registry's
    schema, and into the same schema with one part left out at a time, down to a bare table.
.DESCRIPTION
    The ceiling below any bulk add by the module (bench/PostgresRegistry.Bench.ps1 measures the
    module against the first variant). Each variant gets a fresh database on a private server
    (tests/module/PostgresServer.ps1, fsync on, Unix socket) whose schema the module created
    (Add-OptOut of one claim: the latest schema), then loses or changes what the variant names; the
    rows (the module's id layout, normalised targets, reversed hosts, the audit row's detail) are
    prepared before and not timed. Variants, in order, repeated -Repetitions times (medians):
      full      claims (seq primary key, id unique, claims_where) + audit: the module's schema
      schema-1  the same into schema 1 as it was (its SQL, step 1 of PostgresMigrations.cs): keys in
                the database's collation, kind first in claims_where
      uuid-ids  the full schema with claims.id (and revocations.claim_id) as uuid instead of text
      sorted    the same rows, each 50,000 in the claims index's order, as the module writes a
                batch (RegistryStore.IndexOrder)
      claims    claims alone, no audit rows
      no-where  claims without claims_where, + audit
      no-detail claims + audit rows without their detail text
      bare      the claims' columns into a table with no key, index, identity or trigger
    Prints records/s, the ratio to 'full', the server's own CPU time for the copies (the backend's
    user + system time, read from /proc by the server: less sensitive to the machine's load than the
    wall clock) and the load average around each run; every other repetition runs the variants in
    reverse order.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 1000000,
    [int] $Repetitions = 1
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../tests/module/PostgresServer.ps1')
. (Join-Path $PSScriptRoot 'Bench.Common.ps1')
Import-Module $ModulePath
if (-not (Get-PostgresBin)) { throw 'PostgreSQL server binaries are not installed (apt-get install postgresql).' }

$work = New-BenchWorkFolder 'optout-pg-ceiling' -OpenToOtherUsers
$claimsTsv = Join-Path $work 'claims.tsv'
$auditTsv = Join-Path $work 'audit.tsv'
$bareAuditTsv = Join-Path $work 'audit-no-detail.tsv'
$sortedClaimsTsv = Join-Path $work 'claims-sorted.tsv'
$sortedAuditTsv = Join-Path $work 'audit-sorted.tsv'
# The rows bench/PostgresRegistry.Bench.ps1 gives its psql baseline: 20,000 hosts, ids in the
# module's layout (UUIDv7: Unix milliseconds first).
$stamp = [DateTime]::UtcNow.ToString('O', [Globalization.CultureInfo]::InvariantCulture)
$c = [System.IO.StreamWriter]::new($claimsTsv); $a = [System.IO.StreamWriter]::new($auditTsv); $b = [System.IO.StreamWriter]::new($bareAuditTsv)
$sc = [System.IO.StreamWriter]::new($sortedClaimsTsv); $sa = [System.IO.StreamWriter]::new($sortedAuditTsv)
$keys = [Collections.Generic.List[string]]::new(); $claimRows = [Collections.Generic.List[string]]::new(); $auditRows = [Collections.Generic.List[string]]::new()
function Write-SortedBatch {
    $k = $keys.ToArray(); $order = [int[]](0..($k.Count - 1))
    [Array]::Sort($k, $order, [StringComparer]::Ordinal)
    foreach ($j in $order) { $sc.WriteLine($claimRows[$j]); $sa.WriteLine($auditRows[$j]) }
    $keys.Clear(); $claimRows.Clear(); $auditRows.Clear()
}
for ($i = 0; $i -lt $Count; $i++) {
    $url = "https://img$($i % 20000).example-art.com/works/$i/full.jpg"
    $g = [guid]::NewGuid().ToString('N'); $ms = '{0:x12}' -f [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    $id = "$($ms.Substring(0, 8))-$($ms.Substring(8, 4))-7$($g.Substring(13, 3))-$($g.Substring(16, 4))-$($g.Substring(20))"
    $claimRow = "$id`tRefuse`tUrl`t$url`tcom.example-art.img$($i % 20000)`tbench`t$stamp`tlocal"; $auditRow = "$stamp`tbench`tAddOptOut`t$id`tUrl $url"
    $c.WriteLine($claimRow); $a.WriteLine($auditRow)
    $b.WriteLine("$stamp`tbench`tAddOptOut`t$id`t\N")
    # The claims index's key (kind is Url throughout): reversed host, then the URL.
    $keys.Add("com.example-art.img$($i % 20000)`t$url"); $claimRows.Add($claimRow); $auditRows.Add($auditRow)
    if ($keys.Count -eq 50000) { Write-SortedBatch }
}
if ($keys.Count -gt 0) { Write-SortedBatch }
$c.Close(); $a.Close(); $b.Close(); $sc.Close(); $sa.Close()

$claimsCopy = "\copy optout.claims(id, decision, kind, target, host_rev, claimant, created_at, origin) FROM '$claimsTsv'"
$auditCopy = "\copy optout.audit(at, ""user"", action, record_id, detail) FROM '$auditTsv'"
# Schema 1's SQL as it shipped: the first step in PostgresMigrations.cs (steps are only appended).
$migrations = Get-Content -Raw (Join-Path $PSScriptRoot '../src/OptOut.Core/Registry/Postgres/PostgresMigrations.cs')
$schema1 = ([regex]::Matches($migrations, '(?s)"""\r?\n(.*?)"""'))[0].Groups[1].Value
$variants = [ordered]@{
    'full'      = @{ Prepare = $null; Copy = @($claimsCopy, $auditCopy) }
    'schema-1'  = @{ Prepare = "DROP SCHEMA optout CASCADE; $schema1"; Copy = @($claimsCopy, $auditCopy) }
    'uuid-ids'  = @{ Prepare = 'ALTER TABLE optout.revocations DROP CONSTRAINT revocations_claim_id_fkey; ALTER TABLE optout.claims ALTER COLUMN id TYPE uuid USING id::uuid; ALTER TABLE optout.revocations ALTER COLUMN claim_id TYPE uuid USING claim_id::uuid; ALTER TABLE optout.revocations ADD FOREIGN KEY (claim_id) REFERENCES optout.claims(id)'
                    Copy = @($claimsCopy, $auditCopy) }
    'sorted'    = @{ Prepare = $null; Copy = @(($claimsCopy -replace [regex]::Escape($claimsTsv), $sortedClaimsTsv), ($auditCopy -replace [regex]::Escape($auditTsv), $sortedAuditTsv)) }
    'claims'    = @{ Prepare = $null; Copy = @($claimsCopy) }
    'no-where'  = @{ Prepare = 'DROP INDEX optout.claims_where'; Copy = @($claimsCopy, $auditCopy) }
    'no-detail' = @{ Prepare = $null; Copy = @($claimsCopy, "\copy optout.audit(at, ""user"", action, record_id, detail) FROM '$bareAuditTsv'") }
    'bare'      = @{ Prepare = 'CREATE TABLE optout.bare(id text, decision text, kind text, target text, host_rev text, claimant text, created_at text, origin text)'
                     Copy = @("\copy optout.bare FROM '$claimsTsv'") }
}
$rates = @{}; $loads = @{}; $cpus = @{}
$server = Start-TestPostgres -Durable
try {
    $psql = Join-Path $server.Bin 'psql'
    for ($r = 1; $r -le $Repetitions; $r++) {
        # Every other repetition runs the variants in reverse, so a load that rises or falls
        # through a run does not always favour the same ones.
        $names = @($variants.Keys); if ($r % 2 -eq 0) { [Array]::Reverse($names) }
        foreach ($name in $names) {
            $variant = $variants[$name]
            $db = New-TestDatabase $server
            Add-OptOut -Url 'https://schema.example/1.jpg' -RegistryPath (Get-TestConnectionString $server $db) -Claimant bench | Out-Null
            if ($variant.Prepare) { $null = Invoke-TestSql $server $db $variant.Prepare }
            # The backend's CPU clock (utime + stime, fields 14-15 of /proc/self/stat, in ticks of
            # 1/100 s) before and after the copies, read by the server itself (the superuser may).
            $stat = "SELECT split_part(pg_read_file('/proc/self/stat'), ' ', 14)::int + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::int"
            $arguments = @('-X', '-q', '-A', '-t', '-h', $server.Folder, '-p', $server.Port, '-U', 'optout', '-d', $db, '-v', 'ON_ERROR_STOP=1', '-c', $stat)
            foreach ($copy in $variant.Copy) { $arguments += @('-c', $copy) }
            $arguments += @('-c', $stat)
            $before = (Get-Content /proc/loadavg) -replace ' .*', ''
            $ticks = $null
            $t = Measure-Command { $ticks = @(& $psql @arguments); if ($LASTEXITCODE -ne 0) { throw "psql \copy failed ($name)" } }
            $after = (Get-Content /proc/loadavg) -replace ' .*', ''
            $rates[$name] += @($Count / $t.TotalSeconds)
            $cpus[$name] += @(([int]$ticks[-1] - [int]$ticks[0]) / 100.0)
            $loads[$name] += @("$before-$after")
            $null = Invoke-TestSql $server 'postgres' "DROP DATABASE $db WITH (FORCE)"
        }
    }
}
finally { Stop-TestPostgres $server }

$full = Get-BenchMedian $rates['full']
"$($Count.ToString('N0', [Globalization.CultureInfo]::InvariantCulture)) URL claims by psql \copy, $([Environment]::ProcessorCount) cores, PostgreSQL on a Unix socket with fsync on, medians of $Repetitions run(s):"
''
$fullCpu = Get-BenchMedian $cpus['full']
'| variant | records/s | ratio to full | server CPU, s | CPU ratio to full | load average (before-after) |'
'| --- | --- | --- | --- | --- | --- |'
foreach ($name in $variants.Keys) {
    $rate = Get-BenchMedian $rates[$name]; $cpu = Get-BenchMedian $cpus[$name]
    "| $name | $(Format-BenchNumber $rate 0) | $(Format-BenchNumber ($rate / $full) 2) | $(Format-BenchNumber $cpu 2) | $(Format-BenchNumber ($cpu / $fullCpu) 2) | $($loads[$name] -join ', ') |"
}
Remove-Item $work -Recurse -Force
