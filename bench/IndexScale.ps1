#Requires -Version 7.6
<#
.SYNOPSIS
    Scale benchmarks of the training-set index: metadata and .npy import, caption search, HNSW and
    exact vector search at 100k and 1M rows. Writes docs/index-benchmarks.md and prints it.
.DESCRIPTION
    Builds bench/IndexBench (Release) and runs each measurement in its own process (so memory figures
    belong to one job), on deterministic generated inputs cached under out/bench-data/. Every figure is
    written beside its target and a baseline measured in the same run. The machine is shared: wall
    times are reported with the process CPU time (or thread CPU time for latencies) and the load
    average, medians throughout.

    HNSW builds are slow on two cores (about 1,100 adds per CPU-second for 512-d vectors). At scales
    above -EngineBuildMaxRows the engine's own single-threaded build is run for -EngineBuildBudgetSeconds
    only, to measure its rate; the graph searched there is the same graph (USearch, cosine, f16, M 16,
    expansion 128) built with concurrent adds on every core (-HnswBuild Parallel) and saved as the
    engine's cache with its stamp, so VectorIndex.Open loads it as it would its own.
.PARAMETER ModulePath
    The laid-out module (out/OptOut). When given, Import-TrainingSet is also timed at the smallest scale.
.PARAMETER Rows
    The scales to run, smallest first.
.PARAMETER Reuse
    Keep result files already written under out/bench-data/results (resume a run, or re-render).
.PARAMETER RenderOnly
    Only write the report from the results already there.
.EXAMPLE
    dotnet pwsh bench/IndexScale.ps1 -ModulePath out/OptOut
.EXAMPLE
    dotnet pwsh bench/IndexScale.ps1 -Rows 100000    # the quick pass
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [int[]] $Rows = @(100000, 1000000),
    [ValidateSet('Parallel', 'Engine', 'Skip')]
    [string] $HnswBuild = 'Parallel',
    [int] $EngineBuildMaxRows = 200000,
    [double] $EngineBuildBudgetSeconds = 300,
    [double] $HnswBudgetSeconds = 0,
    [switch] $Reuse,
    [switch] $RenderOnly,
    [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = Split-Path $PSScriptRoot -Parent
$Data = Join-Path $Root 'out/bench-data'
$Results = Join-Path $Data 'results'
$BenchOut = Join-Path $Root 'out/bench/IndexBench'
if (-not $OutputPath) { $OutputPath = Join-Path $Root 'docs/index-benchmarks.md' }
$Bench = Join-Path $BenchOut ($IsWindows ? 'IndexBench.exe' : 'IndexBench')
if ($ModulePath) { $ModulePath = (Resolve-Path $ModulePath).Path }

function Get-Label([int] $n) {
    if ($n -ge 1000000 -and $n % 1000000 -eq 0) { return "$($n / 1000000)M" }
    if ($n -ge 1000 -and $n % 1000 -eq 0) { return "$($n / 1000)k" }
    "$n"
}

function Invoke-Bench {
    param([string] $Result, [string[]] $Arguments)
    if ($Reuse -and (Test-Path $Result)) {
        Write-Host "   (reusing $([IO.Path]::GetRelativePath($Root, $Result)))"
        return
    }
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $Result)
    Write-Host "-- IndexBench $($Arguments -join ' ')" -ForegroundColor DarkCyan
    & $Bench @Arguments --result $Result | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "IndexBench $($Arguments[0]) failed (exit code $LASTEXITCODE)." }
}

function Read-Result([string] $Label, [string] $Name) {
    $path = Join-Path $Results "$Label/$Name.json"
    if (Test-Path $path) { Get-Content -Raw $path | ConvertFrom-Json } else { $null }
}

function Measure-ImportCmdlet([string] $Parquet, [string] $Label) {
    $result = Join-Path $Results "$Label/import-cmdlet.json"
    if ($Reuse -and (Test-Path $result)) { return }
    $db = Join-Path $Data "work-$Label/cmdlet.db"
    Get-ChildItem (Split-Path $db) -Filter 'cmdlet.db*' -ErrorAction SilentlyContinue | Remove-Item -Force
    Import-Module (Join-Path $ModulePath 'OptOut.psd1') -Force
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $summary = Import-TrainingSet -Path $Parquet -IndexPath $db -Name bench -ErrorAction Stop -ProgressAction SilentlyContinue
    $seconds = $clock.Elapsed.TotalSeconds
    [ordered]@{ rows = $summary.Rows; seconds = [math]::Round($seconds, 2); rows_per_s = [math]::Round($summary.Rows / $seconds) } |
        ConvertTo-Json | Set-Content $result
    Get-ChildItem (Split-Path $db) -Filter 'cmdlet.db*' | Remove-Item -Force
}

# ---- run -------------------------------------------------------------------------------------------

if (-not $RenderOnly) {
    Write-Host '== Building bench/IndexBench (Release)' -ForegroundColor Cyan
    dotnet build (Join-Path $PSScriptRoot 'IndexBench/IndexBench.csproj') -c Release -o $BenchOut --nologo --verbosity quiet -clp:ErrorsOnly
    if ($LASTEXITCODE -ne 0) { throw 'Building IndexBench failed.' }

    Invoke-Bench (Join-Path $Results 'machine.json') @('machine')
    $smallest = ($Rows | Measure-Object -Minimum).Minimum
    foreach ($n in ($Rows | Sort-Object)) {
        $label = Get-Label $n
        $work = Join-Path $Data "work-$label"
        $r = Join-Path $Results $label
        $reps = $n -le 200000 ? 3 : 1
        Write-Host "== $label rows" -ForegroundColor Cyan

        $parquet = Join-Path $Data "laion-$label/laion.parquet"
        Invoke-Bench "$r/gen-laion.json" @('gen-laion', '--rows', $n, '--out', $parquet)
        Invoke-Bench "$r/import-metadata.json" @('import-metadata', '--parquet', $parquet, '--work', $work, '--reps', $reps)
        if ($ModulePath -and $n -eq $smallest) { Measure-ImportCmdlet $parquet $label }
        Invoke-Bench "$r/text-search.json" @('text-search', '--db', "$work/laion.db", '--reps', 3)

        $clip = Join-Path $Data "clip-$label"
        Invoke-Bench "$r/gen-clip.json" @('gen-clip', '--rows', $n, '--dir', $clip)
        Invoke-Bench "$r/import-npy.json" @('import-npy', '--dir', $clip, '--work', $work, '--reps', $reps)

        $db = "$work/clip.db"
        if ($HnswBuild -ne 'Skip') {
            if ($n -le $EngineBuildMaxRows -or $HnswBuild -eq 'Engine') {
                Invoke-Bench "$r/vector-build.json" @('vector-build', '--db', $db, '--budget-seconds', ($HnswBuild -eq 'Engine' ? $HnswBudgetSeconds : 0))
            }
            else {
                if ($EngineBuildBudgetSeconds -gt 0) {
                    Invoke-Bench "$r/vector-build.json" @('vector-build', '--db', $db, '--budget-seconds', $EngineBuildBudgetSeconds)
                }
                Invoke-Bench "$r/vector-build-parallel.json" @('vector-build-parallel', '--db', $db, '--budget-seconds', $HnswBudgetSeconds)
            }
        }
        $haveGraph = Test-Path "$db.hnsw.json"
        Invoke-Bench "$r/vector-search.json" (@('vector-search', '--db', $db, '--sweep') + ($haveGraph ? @() : @('--exact-only')))
        if ($n -eq $smallest) { Invoke-Bench "$r/scan-kernels.json" @('scan-kernels', '--db', $db, '--rows', 100000) }
    }
}

# ---- report ----------------------------------------------------------------------------------------

function N([object] $v, [int] $digits = 0) { if ($null -eq $v) { '–' } else { ([double]$v).ToString("N$digits", [Globalization.CultureInfo]::InvariantCulture) } }
function Ms([object] $v) { if ($null -eq $v) { '–' } elseif ([double]$v -lt 10) { '{0:N2} ms' -f [double]$v } else { '{0:N1} ms' -f [double]$v } }
function Size([object] $bytes) { if ($null -eq $bytes -or [double]$bytes -eq 0) { '–' } elseif ([double]$bytes -ge 1GB) { '{0:N2} GiB' -f ([double]$bytes / 1GB) } else { '{0:N0} MiB' -f ([double]$bytes / 1MB) } }
function Verdict([object] $value, [double] $target, [switch] $Below) {
    if ($null -eq $value) { return 'not measured' }
    $ok = $Below ? ([double]$value -lt $target) : ([double]$value -ge $target)
    $ok ? '**meets**' : '**misses**'
}
function P([object] $o, [string] $path) {
    # Property path "a.b.c" on ConvertFrom-Json objects; $null when any step is missing.
    foreach ($part in $path.Split('.')) {
        if ($null -eq $o) { return $null }
        $prop = $o.PSObject.Properties[$part]
        if ($null -eq $prop) { return $null }
        $o = $prop.Value
    }
    $o
}

$machine = if (Test-Path (Join-Path $Results 'machine.json')) { Get-Content -Raw (Join-Path $Results 'machine.json') | ConvertFrom-Json } else { $null }
$labels = @($Rows | Sort-Object | ForEach-Object { Get-Label $_ })
$largest = $labels[-1]
$all = @{}
$loads = [Collections.Generic.List[double]]::new()
foreach ($label in $labels) {
    $set = @{}
    foreach ($name in 'scan-kernels', 'import-metadata', 'import-cmdlet', 'text-search', 'import-npy', 'vector-build', 'vector-build-parallel', 'vector-search', 'gen-laion', 'gen-clip') {
        $set[$name] = Read-Result $label $name
        foreach ($key in 'load_average_before', 'load_average_after') {
            $v = P $set[$name] $key
            if ($null -ne $v) { $loads.Add([double]$v) }
        }
    }
    $all[$label] = $set
}

$md = [Text.StringBuilder]::new()
function Line([string] $text = '') { $null = $md.AppendLine($text) }

$L = $all[$largest]
$meta = $L['import-metadata']; $npy = $L['import-npy']; $text = $L['text-search']; $vs = $L['vector-search']
$vb = $L['vector-build']; $vbp = $L['vector-build-parallel']

Line '# Training-set index at scale'
Line
Line "Written by ``bench/IndexScale.ps1`` (``bench/IndexBench``). Run started $(P $machine 'date'); machine: $(P $machine 'nproc') cores ($(P $machine 'cpu'), AVX2 $(P $machine 'avx2'), AVX-512 $(P $machine 'avx512f')), $(P $machine 'memory_GiB') GiB, $(P $machine 'os'), $(P $machine 'dotnet'), SQLite $(P $machine 'sqlite')."
if ($loads.Count -gt 0) {
    Line "The machine was shared with other jobs: 1-minute load average $(N ($loads | Measure-Object -Minimum).Minimum 1)–$(N ($loads | Measure-Object -Maximum).Maximum 1) on $(P $machine 'nproc') cores during the run, so wall times are inflated and noisy; CPU-time figures (process CPU for throughput, thread CPU for single-threaded latencies) show what the code costs without the wait."
}
Line 'Inputs are generated deterministically and cached under `out/bench-data/` (see "Data" below). Figures are medians; a baseline measured in the same run stands beside each.'
Line

Line "## Targets at $largest rows"
Line
Line '| figure | target | measured | baseline (same run) | verdict |'
Line '| --- | --- | --- | --- | --- |'
if ($meta) {
    Line "| metadata import (LAION parquet, ``TrainingSetImporter``, incl. FTS5 and indexes) | ≥ 100,000 rows/s | $(N (P $meta 'engine_rows_per_s')) rows/s wall; $(N (P $meta 'engine_rows_per_cpu_s')) rows per CPU-s | Parquet.Net read of the same columns $(N (P $meta 'parquet_read_rows_per_s')) rows/s; plain SQLite insert (no FTS, no indexes) $(N (P $meta 'sqlite_plain_rows_per_s')) rows/s; the engine's SQL alone (indexes + FTS5) $(N (P $meta 'sqlite_indexes_fts_rows_per_s')) rows/s | $(Verdict (P $meta 'engine_rows_per_s') 100000) |"
}
if ($npy) {
    Line "| ``.npy`` embedding import (clip-retrieval part, f16 × 512 + metadata) | ≥ 100 MB/s of .npy | $(N (P $npy 'engine_MB_per_s') 1) MB/s ($(N (P $npy 'engine_rows_per_s')) rows/s; $(N ((P $npy 'npy_bytes') / 1e6 / [double](@(P $npy 'engine_cpu_s') | Measure-Object -Average).Average) 1) MB per CPU-s) | raw read of the .npy $(N (P $npy 'raw_read_MB_per_s')) MB/s (page cache); ``NpyFile.ReadRows`` $(N (P $npy 'npy_reader_MB_per_s')) MB/s; ``ClipRetrievalPart.ReadRows`` $(N (P $npy 'part_reader_MB_per_s')) MB/s | $(Verdict (P $npy 'engine_MB_per_s') 100) |"
}
if ($vs) {
    $hnswP50 = P $vs 'hnsw.p50_ms'
    $recall = P $vs 'recall_at_10.all'
    if ($null -ne $hnswP50) {
        Line "| approximate search (``VectorIndex.Search``, HNSW, k = 10) | p50 < 5 ms | $(Ms $hnswP50) (p90 $(Ms (P $vs 'hnsw.p90_ms')); thread CPU p50 $(Ms (P $vs 'hnsw_thread_cpu.p50_ms'))) | exact scan p50 $(Ms (P $vs 'exact.p50_ms')) | $(Verdict $hnswP50 5 -Below) |"
        Line "| recall@10 of that search against ``ExactVectorScan`` | ≥ 0.95 | $(N $recall 3) (held-out $(N (P $vs 'recall_at_10.held-out') 3), perturbed copies $(N (P $vs 'recall_at_10.perturbed copy') 3)); expansion_search in effect $(P $vs 'expansion_search_after_open') | 1.0 by definition | $(Verdict $recall 0.95) |"
    }
    else {
        Line "| approximate search (HNSW) | p50 < 5 ms, recall@10 ≥ 0.95 | not measured at $largest (no complete graph; see HNSW build) | exact scan p50 $(Ms (P $vs 'exact.p50_ms')) | not measured |"
    }
    Line "| exact scan (``ExactVectorScan.Search``, $(N (P $vs 'vectors')) × 512 f16 = $(Size (P $vs 'vector_bytes'))) | p50 < 150 ms | $(Ms (P $vs 'exact.p50_ms')) ($(N (P $vs 'exact_GB_per_s') 1) GB/s) | reading the same array once on every core: $(Ms (P $vs 'memory_read_ms')) ($(N (P $vs 'memory_read_GB_per_s') 1) GB/s) | $(Verdict (P $vs 'exact.p50_ms') 150 -Below) |"
    $rss = P $vs 'search_process_memory'
    if ($rss) {
        Line "| resident memory of the search process (HNSW opened from its cache, 200 queries) | < 3 GB | VmRSS $(N (P $rss 'VmRSS_MiB')) MiB (anon $(N (P $rss 'RssAnon_MiB')) MiB + mapped file $(N (P $rss 'RssFile_MiB')) MiB), peak $(N (P $rss 'VmHWM_MiB')) MiB | with the exact scan loaded too: VmRSS $(N (P $vs 'memory_with_exact.VmRSS_MiB')) MiB | $(Verdict ((P $rss 'VmHWM_MiB') / 1024 * 1.073741824) 3 -Below) |"
    }
}
$engineBuild = $vb ?? $all[$labels[0]]['vector-build']
$engineBuildLabel = $vb ? $largest : $labels[0]
$engineText = if ($engineBuild) {
    $per = (P $engineBuild 'cpu_s') ? (N ((($engineBuild.complete ? (P $engineBuild 'vectors') : (P $engineBuild 'stopped_at_vectors'))) / (P $engineBuild 'cpu_s'))) : '–'
    "engine's own single-threaded build (``VectorIndex.Open``) at ${engineBuildLabel}: $(N (P $engineBuild 'adds_per_s')) adds/s wall, $per adds per CPU-s$((P $engineBuild 'complete') ? '' : ' (stopped by its time budget)')"
} else { '–' }
if ($vbp) {
    $measured = (P $vbp 'complete') ? "$(N (P $vbp 'add_s') 0) s for $(N (P $vbp 'vectors')) vectors with concurrent adds on $(P $vbp 'threads') threads: $(N (P $vbp 'adds_per_s')) adds/s wall, $(N ((P $vbp 'vectors') / (P $vbp 'cpu_s'))) adds per CPU-s" : "stopped by its time budget after $(N (P $vbp 'add_s') 0) s at $(N (P $vbp 'stopped_at_vectors')) of $(N (P $vbp 'vectors')) vectors: $(N (P $vbp 'adds_per_s')) adds/s wall"
    Line "| HNSW build, $largest vectors | (report) | $measured | $engineText | – |"
}
elseif ($engineBuild) {
    Line "| HNSW build | (report) | $engineText | – | – |"
}
if ($text) {
    Line "| caption search ``FindText`` -Top 20, query mix | p50 < 20 ms | $(Ms (P $text 'all_top20.p50_ms')) (p90 $(Ms (P $text 'all_top20.p90_ms')); thread CPU p50 $(Ms (P $text 'all_top20_thread_cpu.p50_ms'))) | FTS5 alone, same queries: all matching ids $(Ms (P $text 'all_fts_ids_only.p50_ms')); bm25 top 20 without the join to rows $(Ms (P $text 'all_fts_rank_top20_no_join.p50_ms')) | $(Verdict (P $text 'all_top20.p50_ms') 20 -Below) |"
    Line "| caption search ``FindText`` without a cap, query mix | p50 < 20 ms | $(Ms (P $text 'all_uncapped.p50_ms')) (p90 $(Ms (P $text 'all_uncapped.p90_ms'))) | – | $(Verdict (P $text 'all_uncapped.p50_ms') 20 -Below) |"
}
Line

foreach ($label in $labels) {
    $m = $all[$label]['import-metadata']
    if (-not $m) { continue }
    Line "## Metadata import, $label rows: where the time goes"
    Line
    Line "Input: $(Size (P $m 'parquet_bytes')) parquet, $(N (P $m 'distinct_hosts')) hosts (the largest $(N ((P $m 'top_host_share') * 100) 1)% of rows), URLs $(N (P $m 'mean_url_chars') 0) characters and captions $(N (P $m 'mean_caption_chars') 0) on average. Each line is measured in the same process on the same rows; the SQLite lines insert rows already in memory (one transaction, prepared statement)."
    Line
    Line '| step | rows/s (wall) | rows per CPU-second | database |'
    Line '| --- | --- | --- | --- |'
    Line "| Parquet.Net read of SAMPLE_ID, URL, TEXT, WIDTH, HEIGHT | $(N (P $m 'parquet_read_rows_per_s')) | $(N (P $m 'parquet_read_rows_per_cpu_s')) | |"
    Line "| ``ParquetMetadataShard.ReadRows`` (the engine's reader) | $(N (P $m 'reader_rows_per_s')) | $(N (P $m 'reader_rows_per_cpu_s')) | |"
    Line "| ``UrlNormalizer.Normalize`` + ``UrlHash`` + reversed host | $(N (P $m 'url_normalize_rows_per_s')) | $(N (P $m 'url_normalize_rows_per_cpu_s')) | |"
    foreach ($v in @(
            @('sqlite_plain', 'SQLite insert, no indexes, no FTS'),
            @('sqlite_indexes', 'SQLite insert + the two B-tree indexes (url_hash, host_rev)'),
            @('sqlite_fts', 'SQLite insert + FTS5 (external content)'),
            @('sqlite_indexes_fts', 'SQLite insert + indexes + FTS5 (the engine''s SQL)'),
            @('sqlite_indexes_fts_textparams', '… with every parameter declared Text, as ImportShard does'),
            @('sqlite_indexes_fts_bigcache', '… with PRAGMA cache_size = 1 GiB'),
            @('sqlite_indexes_fts_deferred', '… indexes and FTS5 built after the inserts (CREATE INDEX, FTS5 rebuild)'),
            @('sqlite_indexes_fts_deferred_bigcache', '… deferred and cache_size = 1 GiB'))) {
        if ($null -ne (P $m "$($v[0])_rows_per_s")) {
            Line "| $($v[1]) | $(N (P $m "$($v[0])_rows_per_s")) | $(N (P $m "$($v[0])_rows_per_cpu_s")) | $(Size (P $m "$($v[0])_db_bytes")) |"
        }
    }
    Line "| **``TrainingSetImporter.Import``** (all of it) | **$(N (P $m 'engine_rows_per_s'))** | **$(N (P $m 'engine_rows_per_cpu_s'))** | $(Size (P $m 'db_bytes')) |"
    $c = $all[$label]['import-cmdlet']
    if ($c) { Line "| ``Import-TrainingSet`` in pwsh (includes loading the module's model) | $(N (P $c 'rows_per_s')) | | |" }
    Line
}

foreach ($label in $labels) {
    $t = $all[$label]['text-search']
    if (-not $t) { continue }
    Line "## Caption search, $label rows"
    Line
    Line '8 queries a kind, each run 3 times after a warm-up; latencies are medians (p90) over those runs. "FTS5 ids" is `SELECT rowid … MATCH` alone (every match, no ranking); "FTS5 rank 20" adds `ORDER BY rank LIMIT 20` without the join to rows; "FTS5 first 20" is `… MATCH … LIMIT 20` unranked.'
    Line
    Line '| kind | matches (median, max) | FindText -Top 20 p50 (p90) | thread CPU p50 | FindText uncapped p50 (p90) | FTS5 ids p50 | FTS5 rank 20 p50 | FTS5 first 20 p50 |'
    Line '| --- | --- | --- | --- | --- | --- | --- | --- |'
    foreach ($k in $t.kinds) {
        $matchCounts = @($k.matches | ForEach-Object { [double]$_ })
        $med = ($matchCounts | Sort-Object)[[int][math]::Floor(($matchCounts.Count - 1) / 2)]
        Line "| $($k.kind) (e.g. ``$($k.queries[0])``) | $(N $med), $(N ($matchCounts | Measure-Object -Maximum).Maximum) | $(Ms $k.top20.p50_ms) ($(Ms $k.top20.p90_ms)) | $(Ms $k.top20_thread_cpu.p50_ms) | $(Ms $k.uncapped.p50_ms) ($(Ms $k.uncapped.p90_ms)) | $(Ms $k.fts_ids_only.p50_ms) | $(Ms $k.fts_rank_top20_no_join.p50_ms) | $(Ms (P $k 'fts_unranked_first20.p50_ms')) |"
    }
    Line
}

foreach ($label in $labels) {
    $v = $all[$label]['vector-search']
    if (-not $v) { continue }
    Line "## Vector search, $label vectors"
    Line
    Line "200 queries: 100 held-out draws from the same mixture (not in the index) and 100 perturbed copies of indexed rows (cosine about 0.97 to their source). Exact top-1 similarity, median: held-out $(N (P $v 'exact_similarity.held-out.median_top1') 3), copies $(N (P $v 'exact_similarity.perturbed copy.median_top1') 3); 10th: $(N (P $v 'exact_similarity.held-out.median_top10') 3) / $(N (P $v 'exact_similarity.perturbed copy.median_top10') 3)."
    if ($null -ne (P $v 'hnsw')) {
        Line "HNSW opened from its cache in $(P $v 'open_s') s; first pass p50 $(Ms (P $v 'hnsw_first_pass.p50_ms')), second pass p50 $(Ms (P $v 'hnsw.p50_ms')), p99 $(Ms (P $v 'hnsw.p99_ms')). Exact scan: loading $(N (P $v 'vectors')) vectors from SQLite took $(P $v 'exact_load_s') s; search p50 $(Ms (P $v 'exact.p50_ms')), p90 $(Ms (P $v 'exact.p90_ms'))."
        Line
        Line 'The search expansion (ef) after the engine opens a cached graph, and what other values give (set through the USearch C API on the same graph, same queries):'
        Line
        Line '| expansion_search | p50 | thread CPU p50 | p90 | recall@10 all | held-out | perturbed copies | worst query |'
        Line '| --- | --- | --- | --- | --- | --- | --- | --- |'
        foreach ($row in @(P $v 'expansion_sweep')) {
            if ($null -eq $row) { continue }
            $mark = ($row.expansion_search -eq (P $v 'expansion_search_after_open')) ? ' (in effect)' : (($row.expansion_search -eq 96) ? ' (VectorIndex.ExpansionSearch)' : '')
            Line "| $($row.expansion_search)$mark | $(Ms $row.p50_ms) | $(Ms $row.p50_thread_cpu_ms) | $(Ms $row.p90_ms) | $(N $row.recall.all 3) | $(N $row.recall.'held-out' 3) | $(N $row.recall.'perturbed copy' 3) | $(N $row.recall.min 1) |"
        }
    }
    $sk = $all[$label]['scan-kernels']
    if ($sk) {
        Line
        Line "Exact-scan kernels on one thread over the first $(N (P $sk 'rows')) stored vectors (median of 7): the engine's ``HalfVectors.Dot`` per row $(Ms (P $sk 'engine_dot_ms')) ($(N (P $sk 'engine_dot_GB_per_s') 1) GB/s); the same widening with four FMA accumulators $(Ms (P $sk 'fma4_dot_ms')) ($(N (P $sk 'fma4_dot_GB_per_s') 1) GB/s); USearch's native ``usearch_exact_search`` (f16, cosine, top 10; the library the module already ships) $(Ms (P $sk 'usearch_exact_ms')) ($(N (P $sk 'usearch_exact_GB_per_s') 1) GB/s, top 10 agreeing with the engine's on $(P $sk 'usearch_exact_agrees_with_engine_top10') of 10); reading the bytes $(Ms (P $sk 'read_ms')) ($(N (P $sk 'read_GB_per_s') 1) GB/s)."
    }
    if ($null -eq (P $v 'hnsw')) {
        Line "No complete HNSW graph at this scale (see the build section); exact scan only: loading $(N (P $v 'vectors')) vectors took $(P $v 'exact_load_s') s, search p50 $(Ms (P $v 'exact.p50_ms'))."
    }
    Line
}

Line '## HNSW build'
Line
Line '| scale | build | vectors | time | adds/s (wall) | CPU-s | cache file | peak RSS |'
Line '| --- | --- | --- | --- | --- | --- | --- | --- |'
foreach ($label in $labels) {
    $b = $all[$label]['vector-build']
    if ($b) {
        $time = (P $b 'complete') ? "$(N (P $b 'build_s')) s" : "stopped after $(N (P $b 'build_s')) s at $(N (P $b 'stopped_at_vectors'))"
        Line "| $label | engine (``VectorIndex.Open``, 1 thread) | $(N (P $b 'vectors')) | $time | $(N (P $b 'adds_per_s')) | $(N (P $b 'cpu_s')) | $(Size (P $b 'cache_bytes')) | $(N (P $b 'memory.VmHWM_MiB')) MiB |"
    }
    $p = $all[$label]['vector-build-parallel']
    if ($p) {
        $timeline = @(P $p 'timeline')
        $cpu = N (P $p 'cpu_s')
        $time = (P $p 'complete') ? "$(N (P $p 'add_s')) s (+ $(N (P $p 'load_s') 0) s reading SQLite)" : "stopped after $(N (P $p 'add_s')) s at $(N (P $p 'stopped_at_vectors'))"
        Line "| $label | same graph, concurrent adds ($(P $p 'threads') threads) | $(N (P $p 'vectors')) | $time | $(N (P $p 'adds_per_s')) | $cpu | $(Size (P $p 'cache_bytes')) | $(N (P $p 'memory.VmHWM_MiB')) MiB |"
    }
}
Line

if ($labels.Count -gt 1) {
    Line "## Growth from $($labels[0]) to $largest"
    Line
    Line "| figure | $($labels -join ' | ') | ratio |"
    Line "| --- | $(($labels | ForEach-Object { '---' }) -join ' | ') | --- |"
    $growth = @(
        @('metadata import, rows/s (wall)', 'import-metadata', 'engine_rows_per_s', 'n'),
        @('metadata import, rows per CPU-s', 'import-metadata', 'engine_rows_per_cpu_s', 'n'),
        @('metadata index on disk (SQLite + FTS5)', 'import-metadata', 'db_bytes', 'size'),
        @('.npy import, MB/s', 'import-npy', 'engine_MB_per_s', 'n1'),
        @('embedding index on disk (SQLite)', 'import-npy', 'db_bytes', 'size'),
        @('caption search -Top 20, p50', 'text-search', 'all_top20.p50_ms', 'ms'),
        @('caption search -Top 20, p90', 'text-search', 'all_top20.p90_ms', 'ms'),
        @('caption search uncapped, p50', 'text-search', 'all_uncapped.p50_ms', 'ms'),
        @('HNSW search p50', 'vector-search', 'hnsw.p50_ms', 'ms'),
        @('HNSW recall@10', 'vector-search', 'recall_at_10.all', 'n3'),
        @('exact scan p50', 'vector-search', 'exact.p50_ms', 'ms'),
        @('search process VmRSS (MiB)', 'vector-search', 'search_process_memory.VmRSS_MiB', 'n'),
        @('HNSW cache file', 'vector-build-parallel', 'cache_bytes', 'size'),
        @('HNSW build, adds/s (engine, 1 thread)', 'vector-build', 'adds_per_s', 'n'),
        @('HNSW build, adds/s (2 threads)', 'vector-build-parallel', 'adds_per_s', 'n'),
        @('HNSW build, adds per CPU-s (either build)', '', 'adds_per_cpu_s', 'n'))
    foreach ($g in $growth) {
        $values = foreach ($label in $labels) {
            if ($g[2] -eq 'adds_per_cpu_s') {
                $b = $all[$label]['vector-build-parallel'] ?? $all[$label]['vector-build']
                $done = $b ? ((P $b 'complete') ? (P $b 'vectors') : (P $b 'stopped_at_vectors')) : $null
                if ($b -and $done -and (P $b 'cpu_s')) { [double]$done / [double](P $b 'cpu_s') } else { $null }
                continue
            }
            $v = P $all[$label][$g[1]] $g[2]
            if ($null -eq $v -and $g[2] -eq 'cache_bytes') { $v = P $all[$label]['vector-build'] 'cache_bytes' }
            $v
        }
        $cells = foreach ($v in $values) {
            switch ($g[3]) { 'size' { Size $v } 'ms' { Ms $v } 'n1' { N $v 1 } 'n3' { N $v 3 } default { N $v } }
        }
        $first = $values[0]; $last = $values[-1]
        $ratio = ($null -ne $first -and $null -ne $last -and [double]$first -ne 0) ? ('× {0:N2}' -f ([double]$last / [double]$first)) : '–'
        Line "| $($g[0]) | $($cells -join ' | ') | $ratio |"
    }
    Line
}

Line '## Data'
Line
Line "- **LAION metadata parquet** (``SAMPLE_ID`` int64, ``URL``, ``TEXT``, ``HEIGHT``, ``WIDTH`` int64, ``LICENSE``, ``NSFW``, ``similarity`` float64; row groups of 100,000; Parquet.Net defaults): captions of about 7 words (log-normal, up to 60) drawn from a Zipf(1) vocabulary of $(N 250000) made-up words behind a few hundred real caption words, with stock phrases (""stock photo"", ""black and white"") in 18% of them; URLs from about 4,000 hosts: well-known image CDNs (pinimg, shopify, ebay, amazon, alicdn, …) with their own path shapes taking about 45% of rows, made-up sites with a Zipf(1.05) share the rest. 0.1% of captions are null."
Line '- **clip-retrieval part**: `img_emb/img_emb_0.npy` (float16, [N, 512], npy 1.0) and `metadata/metadata_0.parquet` (image_path, caption, NSFW, similarity, LICENSE, url, key, status, width, height, original_width, original_height, exif, md5). Vectors: 1,000 cluster centres (Zipf-skewed sizes) around a shared mean direction, spread mostly along a 64-direction subspace with decaying variance plus an isotropic residual, normalised: CLIP-like anisotropy and low intrinsic dimension rather than uniform random vectors.'
Line '- Row *i* of every input is a pure function of *i* and fixed seeds (xoshiro256**), so the 100k inputs are the first rows of the 1M ones and queries can regenerate any row.'
Line

$notes = Join-Path $PSScriptRoot 'IndexScale.notes.md'
if (Test-Path $notes) {
    Line (Get-Content -Raw $notes).TrimEnd()
    Line
}

$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath)
Set-Content -Path $OutputPath -Value $md.ToString().TrimEnd() -Encoding utf8NoBOM
Write-Host $md.ToString()
Write-Host "Written to $OutputPath"
