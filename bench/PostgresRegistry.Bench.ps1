<#
.SYNOPSIS
    The registry on PostgreSQL: bulk Get-Content urls.txt | Add-OptOut, Get-OptOut -Url lookups and
    Test-TrainingSet loading the claims, each beside baselines measured in the same run.
.DESCRIPTION
    A private server (tests/module/PostgresServer.ps1, fsync on) on a Unix socket. Baselines:
    psql's \copy of the same claims and audit rows (prepared beforehand, not timed) into the same
    schema (same indexes and triggers) = what the server itself ingests; the same module command
    against a SQLite file; Test-TrainingSet over the same one-row dataset against the SQLite
    registry of the same claims. More rates split the cmdlet's time: the engine alone
    (bench/RegistryBench: the same URLs checked, normalised and written in batches of 50,000,
    no PowerShell; it also times its writes alone), PowerShell's pipeline alone (Get-Content
    urls.txt | Out-Null), and the bulk idiom Get-Content -ReadCount 10000 | Add-OptOut (arrays bound
    to -Url, one ProcessRecord per 10,000 lines). Medians over
    -Repetitions; the section between the markers in docs/registry.md is replaced.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 1000000,
    [int] $Repetitions = 1,
    [int] $Lookups = 200,
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs/registry.md')
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../tests/module/PostgresServer.ps1')
. (Join-Path $PSScriptRoot 'Bench.Common.ps1')
Import-Module $ModulePath
if (-not (Get-PostgresBin)) { throw 'PostgreSQL server binaries are not installed (apt-get install postgresql).' }
$engineOut = Join-Path $PSScriptRoot '../out/bench/RegistryBench'
Invoke-BenchNative 'Building RegistryBench' { dotnet build (Join-Path $PSScriptRoot 'RegistryBench/RegistryBench.csproj') -c Release -o $engineOut --nologo --verbosity quiet -clp:ErrorsOnly | Out-Host }
$engine = Join-Path $engineOut ($IsWindows ? 'RegistryBench.exe' : 'RegistryBench')

$work = New-BenchWorkFolder 'optout-pg-bench' -OpenToOtherUsers
$urls = Join-Path $work 'urls.txt'
$claimsTsv = Join-Path $work 'claims.tsv'
$auditTsv = Join-Path $work 'audit.tsv'
# The same URLs as bench/Registry.Bench.ps1: 20,000 hosts. The \copy baseline gets the rows the
# module would write (id, normalised target, reversed host, times), prepared here, untimed. Ids
# have the module's layout (ClaimIds: UUIDv7, Unix milliseconds first), so they reach the id
# index in time order as the module's do; random ids would slow the baseline down.
$stamp = [DateTime]::UtcNow.ToString('O', [Globalization.CultureInfo]::InvariantCulture)
$w = [System.IO.StreamWriter]::new($urls); $c = [System.IO.StreamWriter]::new($claimsTsv); $a = [System.IO.StreamWriter]::new($auditTsv)
for ($i = 0; $i -lt $Count; $i++) {
    $host_ = "img$($i % 20000).example-art.com"
    $url = "https://$host_/works/$i/full.jpg"
    $w.WriteLine($url)
    $g = [guid]::NewGuid().ToString('N'); $ms = '{0:x12}' -f [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    $id = "$($ms.Substring(0, 8))-$($ms.Substring(8, 4))-7$($g.Substring(13, 3))-$($g.Substring(16, 4))-$($g.Substring(20))"
    $c.WriteLine("$id`tRefuse`tUrl`t$url`tcom.example-art.img$($i % 20000)`tbench`t$stamp`tlocal")
    $a.WriteLine("$stamp`tbench`tAddOptOut`t$id`tUrl $url")
}
$w.Close(); $c.Close(); $a.Close()

$loadStart = (Get-Content /proc/loadavg) -replace ' .*', ''
$server = Start-TestPostgres -Durable
try {
    $psql = Join-Path $server.Bin 'psql'
    $results = @{ Engine = @(); EngineWrite = @(); Pipeline = @(); Add = @(); AddRead = @(); Copy = @(); SqliteAdd = @(); PgP50 = @(); SqliteP50 = @(); PgGate = @(); SqliteGate = @() }
    $set = Join-Path $work 'set'
    $shard = New-Item -ItemType Directory -Path (Join-Path $set '00000') -Force
    '{"url": "https://img1.example-art.com/works/1/full.jpg", "key": "000000000", "status": "success", "caption": "x"}' | Set-Content (Join-Path $shard '000000000.json')
    [System.IO.File]::WriteAllBytes((Join-Path $shard '000000000.png'), [Convert]::FromBase64String('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='))

    for ($r = 1; $r -le $Repetitions; $r++) {
        # Baseline: psql \copy into the same schema (created by the module with one claim).
        $copyDb = New-TestDatabase $server
        Add-OptOut -Url 'https://schema.example/1.jpg' -RegistryPath (Get-TestConnectionString $server $copyDb) -Claimant bench
        $t = Measure-Command {
            & $psql -X -q -h $server.Folder -p $server.Port -U optout -d $copyDb -v ON_ERROR_STOP=1 `
                -c "\copy optout.claims(id, decision, kind, target, host_rev, claimant, created_at, origin) FROM '$claimsTsv'" `
                -c "\copy optout.audit(at, ""user"", action, record_id, detail) FROM '$auditTsv'"
            if ($LASTEXITCODE -ne 0) { throw 'psql \copy failed' }
        }
        $results.Copy += $Count / $t.TotalSeconds

        $t = Measure-Command { Get-Content $urls | Out-Null }
        $results.Pipeline += $Count / $t.TotalSeconds
        $enginePg = Get-TestConnectionString $server (New-TestDatabase $server)
        $t = Measure-Command { $line = & $engine $enginePg $urls; if ($LASTEXITCODE -ne 0) { throw "RegistryBench failed: $line" } }
        $results.Engine += $Count / $t.TotalSeconds
        if ("$line" -notmatch 'writing ([\d.]+) s') { throw "RegistryBench printed no write time: $line" }
        $results.EngineWrite += $Count / [double]::Parse($Matches[1], [Globalization.CultureInfo]::InvariantCulture)

        $pg = Get-TestConnectionString $server (New-TestDatabase $server)
        $t = Measure-Command { Get-Content $urls | Add-OptOut -RegistryPath $pg -Claimant bench }
        $results.Add += $Count / $t.TotalSeconds
        $pgRead = Get-TestConnectionString $server (New-TestDatabase $server)
        $t = Measure-Command { Get-Content $urls -ReadCount 10000 | Add-OptOut -RegistryPath $pgRead -Claimant bench }
        $results.AddRead += $Count / $t.TotalSeconds
        $file = Join-Path $work "registry-$r.db"
        $t = Measure-Command { Get-Content $urls | Add-OptOut -RegistryPath $file -Claimant bench }
        $results.SqliteAdd += $Count / $t.TotalSeconds

        $probe = Get-Content $urls -TotalCount $Count | Select-Object -Skip ([int]($Count / 2)) -First $Lookups
        foreach ($registry in $pg, $file) {
            $null = Get-OptOut -Url $probe[0] -RegistryPath $registry   # the first call loads the module's code paths
            $times = foreach ($u in $probe) { (Measure-Command { $null = Get-OptOut -Url $u -RegistryPath $registry }).TotalMilliseconds }
            if ($registry -eq $pg) { $results.PgP50 += Get-BenchMedian $times } else { $results.SqliteP50 += Get-BenchMedian $times }
        }
        foreach ($registry in $pg, $file) {
            $t = Measure-Command { $null = Test-TrainingSet -Path $set -RegistryPath $registry }
            if ($registry -eq $pg) { $results.PgGate += $t.TotalSeconds } else { $results.SqliteGate += $t.TotalSeconds }
        }
        foreach ($registry in $pg, $pgRead) {
            $counts = & $psql -X -A -t -h $server.Folder -p $server.Port -U optout -d ($registry -replace '.*Database=', '') -c 'SELECT (SELECT count(*) FROM optout.claims) || '' '' || (SELECT count(*) FROM optout.audit WHERE action = ''AddOptOut'')'
            if ($counts -ne "$Count $Count") { throw "PostgreSQL holds $counts claims and audit rows, not $Count each" }
        }
    }
}
finally { Stop-TestPostgres $server }

$n = $Count.ToString('N0', [Globalization.CultureInfo]::InvariantCulture)
$add = Get-BenchMedian $results.Add; $copy = Get-BenchMedian $results.Copy; $sqlite = Get-BenchMedian $results.SqliteAdd
$pgGate = Get-BenchMedian $results.PgGate; $sqliteGate = Get-BenchMedian $results.SqliteGate
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '.*:\s*', ''
$table = @"
<!-- postgres-bench:start -->
$n URL claims, $([Environment]::ProcessorCount) cores ($cpu), PostgreSQL $(if ((& $psql --version) -match '(\d+\.\d+)') { $Matches[1] }) on a Unix socket with fsync on, medians of $Repetitions run(s), ``dotnet pwsh bench/PostgresRegistry.Bench.ps1 -ModulePath ./out/OptOut/OptOut.psd1 -Count $Count``, load average $loadStart at the start and $((Get-Content /proc/loadavg) -replace ' .*', '') at the end:

| measure | PostgreSQL | baseline (same run) | ratio |
| --- | --- | --- | --- |
| ``Get-Content urls.txt \| Add-OptOut``, records/s | $(Format-BenchNumber $add 0) | psql ``\copy`` of the same claims and audit rows into the same schema: $(Format-BenchNumber $copy 0) | $(Format-BenchNumber ($add / $copy) 2) |
| ``Get-Content urls.txt -ReadCount 10000 \| Add-OptOut``, records/s | $(Format-BenchNumber (Get-BenchMedian $results.AddRead) 0) | psql ``\copy``: $(Format-BenchNumber $copy 0) | $(Format-BenchNumber ((Get-BenchMedian $results.AddRead) / $copy) 2) |
| the engine alone (bench/RegistryBench, no PowerShell), records/s | $(Format-BenchNumber (Get-BenchMedian $results.Engine) 0) | psql ``\copy``: $(Format-BenchNumber $copy 0) | $(Format-BenchNumber ((Get-BenchMedian $results.Engine) / $copy) 2) |
| the engine's writes alone (its time in AddRecords), records/s | $(Format-BenchNumber (Get-BenchMedian $results.EngineWrite) 0) | psql ``\copy``: $(Format-BenchNumber $copy 0) | $(Format-BenchNumber ((Get-BenchMedian $results.EngineWrite) / $copy) 2) |
| PowerShell's pipeline alone, ``Get-Content urls.txt \| Out-Null``, lines/s | $(Format-BenchNumber (Get-BenchMedian $results.Pipeline) 0) | the cmdlet: $(Format-BenchNumber $add 0) | $(Format-BenchNumber ($add / (Get-BenchMedian $results.Pipeline)) 2) |
| the same into a SQLite file, records/s | | $(Format-BenchNumber $sqlite 0) | $(Format-BenchNumber ($add / $sqlite) 2) |
| ``Get-OptOut -Url``, one call each (open + query), p50 ms | $(Format-BenchNumber (Get-BenchMedian $results.PgP50) 2) | SQLite file: $(Format-BenchNumber (Get-BenchMedian $results.SqliteP50) 2) | $(Format-BenchNumber ((Get-BenchMedian $results.PgP50) / (Get-BenchMedian $results.SqliteP50)) 2) |
| ``Test-TrainingSet`` of a one-row set (loading every claim), s | $(Format-BenchNumber $pgGate 2) | SQLite file: $(Format-BenchNumber $sqliteGate 2) | $(Format-BenchNumber ($pgGate / $sqliteGate) 2) |
<!-- postgres-bench:end -->
"@
$table
if (Test-Path $DocsPath) {
    $text = Get-Content -Raw $DocsPath
    if ($text -match '(?s)<!-- postgres-bench:start -->.*<!-- postgres-bench:end -->') {
        $text = $text -replace '(?s)<!-- postgres-bench:start -->.*<!-- postgres-bench:end -->', $table.Replace('$', '$$')
        Set-Content -LiteralPath $DocsPath -Value $text.TrimEnd() -Encoding utf8NoBOM
    }
}
Remove-Item $work -Recurse -Force
