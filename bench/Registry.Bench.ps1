<#
.SYNOPSIS
    Registry benchmark: bulk Add-OptOut -Url from the pipeline, Get-OptOut -Url lookups and
    Export-OptOutList, at N records (1,000,000 by default), each beside a baseline from the same run.
.DESCRIPTION
    Baselines: the sqlite3 command-line tool importing the same URLs into a table with the same
    unique index (what SQLite itself does with the data, no PowerShell), the bare PowerShell pipeline
    (Get-Content | Out-Null), and for exports the sqlite3 tool writing the same table as CSV. The
    Parquet export is read back by DuckDB (npm @duckdb/node-api) when it can be installed, as an
    independent reader. Figures are medians over -Repetitions runs; the section between the markers
    in docs/benchmarks.md is replaced.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 1000000,
    [int] $Repetitions = 3,
    [int] $Lookups = 2000,
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs/benchmarks.md')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Median([double[]] $values) { $sorted = $values | Sort-Object; $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }

$work = Join-Path ([System.IO.Path]::GetTempPath()) "optout-registry-bench"
if (Test-Path $work) { Remove-Item $work -Recurse -Force }
$null = New-Item -ItemType Directory -Path $work
$urls = Join-Path $work 'urls.txt'
# Deterministic URLs over 20,000 hosts, like a catalogue of artworks on many sites.
$writer = [System.IO.StreamWriter]::new($urls)
for ($i = 0; $i -lt $Count; $i++) { $writer.WriteLine("https://img$($i % 20000).example-art.com/works/$i/full.jpg") }
$writer.Close()

$rows = [ordered]@{}
$addRates = @(); $ceilingRates = @(); $sqliteRates = @(); $pipeRates = @(); $lookupP50 = @(); $lookupBatch = @(); $exportRates = @{}; $sqliteExport = @()
$registry = $null
for ($r = 1; $r -le $Repetitions; $r++) {
    $registry = Join-Path $work "registry-$r.db"

    $t = Measure-Command { Get-Content $urls | Out-Null }
    $pipeRates += $Count / $t.TotalSeconds

    $sqliteDb = Join-Path $work "sqlite-$r.db"
    $script = ".bail on`nPRAGMA journal_mode=WAL;`nCREATE TABLE claims(target TEXT NOT NULL);`nCREATE UNIQUE INDEX claims_target ON claims(target);`n.import $urls claims`n"
    $t = Measure-Command { $script | sqlite3 $sqliteDb | Out-Null }
    $sqliteRates += $Count / $t.TotalSeconds

    $t = Measure-Command { Get-Content $urls | Add-OptOut -RegistryPath $registry -Claimant bench }
    $addRates += $Count / $t.TotalSeconds

    # The same claims and audit rows into the same schema through SQLite's C API, no module code
    # (bench/registry_schema_ceiling.py, written the way Add-OptOut writes a bulk batch).
    if (Get-Command python3 -ErrorAction Ignore) {
        $ceilingRates += [double](python3 (Join-Path $PSScriptRoot 'registry_schema_ceiling.py') $Count --first)
    }

    # Lookups: each URL checked by its own Get-OptOut call (open + query), and a list piped through one call.
    $probe = Get-Content $urls -TotalCount $Count | Select-Object -Skip ($Count / 2) -First $Lookups
    $times = foreach ($u in $probe[0..199]) { (Measure-Command { $null = Get-OptOut -Url $u -RegistryPath $registry }).TotalMilliseconds }
    $lookupP50 += Median $times
    $t = Measure-Command { $found = @(Get-OptOut -Url $probe -RegistryPath $registry) }
    if ($found.Count -ne $Lookups) { throw "lookup found $($found.Count) of $Lookups" }
    $lookupBatch += $t.TotalMilliseconds / $Lookups

    foreach ($format in 'Csv', 'Parquet', 'Json') {
        $file = Join-Path $work "export-$r.$($format.ToLowerInvariant())"
        $t = Measure-Command { Export-OptOutList -Path $file -Format $format -RegistryPath $registry }
        $exportRates[$format] += @($Count / $t.TotalSeconds)
    }
    $t = Measure-Command { ".headers on`n.mode csv`n.output $work/sqlite-export.csv`nSELECT * FROM claims;" | sqlite3 $registry | Out-Null }
    $sqliteExport += $Count / $t.TotalSeconds
    if ($r -lt $Repetitions) { Remove-Item "$registry*", "$sqliteDb*" -Force }
}

# An independent reader of the Parquet export: DuckDB from bench/duckdb (npm ci, lock file).
$duckdb = 'not run: node or @duckdb/node-api unavailable'
$duckDir = Join-Path $PSScriptRoot 'duckdb'
if (Get-Command node -ErrorAction Ignore) {
    if (-not (Test-Path (Join-Path $duckDir 'node_modules/@duckdb/node-api'))) {
        Push-Location $duckDir
        try { npm ci --no-audit --no-fund --silent 2>&1 | Out-Host } finally { Pop-Location }
    }
    if (Test-Path (Join-Path $duckDir 'node_modules/@duckdb/node-api')) {
        $parquet = Join-Path $work "export-$Repetitions.parquet"
        $result = node (Join-Path $duckDir 'registry.mjs') $parquet | ConvertFrom-Json
        if ($result.n -ne $Count -or $result.ids -ne $Count) { throw "DuckDB read $($result.n) rows, $($result.ids) ids; expected $Count" }
        $duckdb = "read $($result.n.ToString('N0')) rows ($($result.ids.ToString('N0')) distinct ids, kind '$($result.kind)') in $($result.ms) ms"
    }
}

$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$lines = @(
    "### Registry ($($Count.ToString('N0')) records, $(Get-Date -Format 'yyyy-MM-dd'), $([Environment]::ProcessorCount) cores, $cpu)"
    ''
    "Run: ``dotnet pwsh bench/Registry.Bench.ps1 -ModulePath out/OptOut`` (medians of $Repetitions repetitions; the machine is shared, so the ratios matter more than the absolute figures)."
    ''
    '| measurement | OptOut | baseline in the same run | ratio | target |'
    '| --- | --- | --- | --- | --- |'
    ('| bulk `Get-Content urls \| Add-OptOut` | {0:N0} records/s | the same claims and audit rows into the same schema through SQLite''s C API (python3 `executemany`, `bench/registry_schema_ceiling.py --first`): {4:N0} rows/s; sqlite3 CLI `.import` of the bare URLs into a uniquely indexed one-column table: {1:N0} rows/s; bare pipeline `Get-Content \| Out-Null`: {2:N0} lines/s | {5:P0} of the C API on the same schema; {3:P0} of sqlite3 `.import` | >= 50,000/s |' -f (Median $addRates), (Median $sqliteRates), (Median $pipeRates), ((Median $addRates) / (Median $sqliteRates)), (Median $ceilingRates), ((Median $addRates) / [math]::Max(1, (Median $ceilingRates))))
    ('| `Get-OptOut -Url` one call per URL (open + query) | {0:N2} ms p50 | | | < 1 ms |' -f (Median $lookupP50))
    ('| `Get-OptOut -Url $urls` ({1:N0} URLs in one call) | {0:N3} ms per URL | | | < 1 ms |' -f (Median $lookupBatch), $Lookups)
    ('| `Export-OptOutList -Format Csv` | {0:N0} rows/s | sqlite3 CLI `.mode csv` of the claims table: {1:N0} rows/s | {2:P0} | >= 200,000/s |' -f (Median $exportRates['Csv']), (Median $sqliteExport), ((Median $exportRates['Csv']) / (Median $sqliteExport)))
    ('| `Export-OptOutList -Format Parquet` | {0:N0} rows/s | | | >= 200,000/s |' -f (Median $exportRates['Parquet']))
    ('| `Export-OptOutList -Format Json` | {0:N0} rows/s | | | >= 200,000/s |' -f (Median $exportRates['Json']))
    "| Parquet export read by DuckDB (npm @duckdb/node-api) | $duckdb | | | |"
    ''
    "Each repetition: add ($(($addRates | ForEach-Object { $_.ToString('N0') }) -join ', ') records/s), C API on the same schema ($(($ceilingRates | ForEach-Object { $_.ToString('N0') }) -join ', ') rows/s), sqlite3 import ($(($sqliteRates | ForEach-Object { $_.ToString('N0') }) -join ', ') rows/s)."
)
$section = $lines -join "`n"
$lines | Write-Host

$begin = '<!-- bench:registry -->'; $end = '<!-- /bench:registry -->'
$docs = if (Test-Path $DocsPath) { Get-Content -Raw $DocsPath } else { "# Benchmarks`n" }
$block = "$begin`n$section`n$end"
if ($docs -match [regex]::Escape($begin)) {
    $docs = [regex]::Replace($docs, "(?s)$([regex]::Escape($begin)).*?$([regex]::Escape($end))", [System.Text.RegularExpressions.MatchEvaluator] { param($m) $block })
}
else { $docs = $docs.TrimEnd() + "`n`n$block`n" }
Set-Content -Path $DocsPath -Value $docs -NoNewline
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
