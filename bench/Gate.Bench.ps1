#Requires -Version 7.6
<#
.SYNOPSIS
    Dataset gate benchmark (issue 5): Test-TrainingSet's URL and domain checks over LAION-schema
    parquet shards against a registry of 1M URL and 10,000 domain refusals, beside DuckDB doing the
    same anti-join on the same files in the same run; Export-CleanTrainingSet's output checked by
    DuckDB. Writes docs/gate-benchmarks.md (section bench:gate) and prints it.
.DESCRIPTION
    Inputs (bench/GateBench, cached under out/bench-data/gate-v1/): 10 shards of 1M rows, a registry
    written through the engine's RegistryStore, the same refusals as parquet for DuckDB, and the
    expected violation counts computed by the generator. URLs are generated in the engine's normal
    form, so DuckDB's plain string equality is the same comparison.

    For each scale (the first shard alone: 1M rows; all shards: 10M rows) and each repetition:
    Test-TrainingSet in a fresh pwsh (bench/Gate.Child.ps1: the cmdlet's own wall and CPU time,
    violations counted by Rule, the process's peak resident memory), then DuckDB (npm
    @duckdb/node-api, bench/duckdb/gate.mjs, same thread count) on the same files. Rates are rows
    over the time of the check itself, loading the refusals included on both sides, process start-up
    and module import excluded (reported apart). Export-CleanTrainingSet is timed on 1M rows beside
    DuckDB writing the same cleaned copy, and each output is checked by gate.mjs check (schema,
    row count, no refused row left, row order and content). The raw baselines (GateBench raw)
    show where time goes: Parquet.Net reading the URL column alone, the check on top of it, the
    engine's ParquetMetadataShard reader.

    Before each timed run the script waits until the 1-minute load average is below -MaxLoad (at
    most -MaxWaitSeconds), and it records the load and the share of the CPU other processes took.
    Steps that need the module's gate cmdlets are skipped, and say so, when the module lacks them.
.EXAMPLE
    dotnet pwsh bench/Gate.Bench.ps1 -ModulePath out/OptOut
.EXAMPLE
    dotnet pwsh bench/Gate.Bench.ps1 -Scale 1M -Repetitions 1 -SkipRaw    # a quick pass
#>
[CmdletBinding()]
param(
    [string] $ModulePath,
    [ValidateRange(1, 20)] [int] $Repetitions = 3,
    # '1M' (the first shard) and '10M' (all); 'NM' takes the first N shards (e.g. '2M': both workers busy, for memory).
    [string[]] $Scale = @('1M', '2M', '10M'),
    # Test-TrainingSet -ThrottleLimit and DuckDB's threads: the target is "on 2 cores".
    [int] $Threads = 2,
    # How DuckDB expands hosts to parent domains (gate.mjs): 'hosts' (distinct hosts expanded once,
    # its fastest form), 'exists' (a correlated EXISTS a row), 'rows' (every row's suffixes unnested).
    [ValidateSet('hosts', 'exists', 'rows')] [string] $DuckDbDomainJoin = 'hosts',
    # GateBench raw modes; '/rg' splits the work by row group instead of by shard.
    [string[]] $RawModes = @('EngineGate', 'ReadUrl', 'ReadKeyUrl', 'CheckKeyUrl', 'CheckKeyUrl/rg', 'CheckKeyUrlNormalized', 'EngineReader', 'EngineReaderCheck'),
    [switch] $SkipRaw,
    [switch] $SkipExport,
    [double] $MaxLoad = 1.5,
    [int] $MaxWaitSeconds = 600,
    [string] $DataPath,
    [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# -File passes "a,b" as one string: accept both forms.
$RawModes = @($RawModes | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
$Scale = @($Scale | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })

$Root = Split-Path $PSScriptRoot -Parent
. (Join-Path $PSScriptRoot 'Bench.Common.ps1')
if (-not $DataPath) { $DataPath = Join-Path $Root 'out/bench-data/gate-v1' }
if (-not $DocsPath) { $DocsPath = Join-Path $Root 'docs/gate-benchmarks.md' }
if (-not $ModulePath) { $ModulePath = Join-Path $Root 'out/OptOut' }
$DataPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataPath)
$DocsPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DocsPath)
$ModulePath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ModulePath)
$Work = Join-Path $DataPath 'work'
$null = New-Item -ItemType Directory -Path $Work -Force
$BenchOut = Join-Path $Root 'out/bench/GateBench'
$GateBench = Join-Path $BenchOut ($IsWindows ? 'GateBench.exe' : 'GateBench')
$DuckDir = Join-Path $PSScriptRoot 'duckdb'
$GateMjs = Join-Path $DuckDir 'gate.mjs'
$ChildScript = Join-Path $PSScriptRoot 'Gate.Child.ps1'
$Inv = [Globalization.CultureInfo]::InvariantCulture

function Log([string] $Message) { Write-Host "[$((Get-Date).ToString('HH:mm:ss'))] $Message" }
function N([double] $Value, [int] $Decimals = 0) { if ([double]::IsNaN($Value)) { 'n/a' } else { $Value.ToString("N$Decimals", $Inv) } }
function Median([object[]] $Values) { $v = @($Values | Where-Object { $null -ne $_ } | ForEach-Object { [double]$_ }); if ($v.Count -eq 0) { [double]::NaN } else { Get-BenchMedian $v } }
function Load { Get-BenchLoadAverage }

function Wait-Quiet {
    # Waits until the 1-minute load average is below -MaxLoad (our own previous run counts too: its
    # load decays within a minute or two); returns the load it started at.
    $start = [Diagnostics.Stopwatch]::StartNew()
    $load = Load
    while ($load -ge $MaxLoad -and $start.Elapsed.TotalSeconds -lt $MaxWaitSeconds) {
        if ([int]$start.Elapsed.TotalSeconds % 60 -lt 10) { Log "load $load >= $MaxLoad; waiting ($([int]$start.Elapsed.TotalSeconds) s so far)" }
        Start-Sleep -Seconds 10
        $load = Load
    }
    if ($load -ge $MaxLoad) { Log "load still $load after $MaxWaitSeconds s; measuring anyway (the run records it)" }
    $load
}

function Invoke-Measured {
    # Runs a native command, returning its stdout, wall seconds, the load before and the share of the
    # CPU other processes used meanwhile.
    param([string] $What, [scriptblock] $Command, [switch] $AllowFailure)
    $before = Get-BenchCpuSample
    $load = Load
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $output = & $Command
    $code = $LASTEXITCODE
    $wall = $clock.Elapsed.TotalSeconds
    $after = Get-BenchCpuSample
    if ($code -ne 0 -and -not $AllowFailure) { throw "$What failed (exit code $code)." }
    [pscustomobject]@{ Output = ($output -join "`n"); ExitCode = $code; Wall = $wall; LoadBefore = $load; LoadAfter = (Load); OtherCpu = (Get-BenchOtherCpuShare $before $after) }
}

# ---- inputs ------------------------------------------------------------------------------------
Log 'Building bench/GateBench (Release)'
Invoke-BenchNative 'Building GateBench' { dotnet build (Join-Path $PSScriptRoot 'GateBench/GateBench.csproj') -c Release -o $BenchOut --nologo --verbosity quiet -clp:ErrorsOnly | Out-Host }
Log "Inputs in $DataPath (generated once, then cached)"
$genJson = & $GateBench gen --dir $DataPath
if ($LASTEXITCODE -ne 0) { throw "GateBench gen failed (exit code $LASTEXITCODE)." }
$expected = ($genJson -join "`n") | ConvertFrom-Json -AsHashtable
$registry = Join-Path $DataPath 'registry.db'
$refusedUrls = Join-Path $DataPath 'refused_urls.parquet'
$refusedDomains = Join-Path $DataPath 'refused_domains.parquet'
$scales = [ordered]@{}
$rowsPerShard = [long]$expected.per_shard[0].rows
foreach ($label in $Scale) {
    if ($expected.scales.Contains($label)) { $scales[$label] = $expected.scales[$label]; continue }
    # Other scales ('2M', '5M'): the first N shards, hard-linked into a folder of their own, expected
    # counts summed from the generator's per-shard counts.
    $n = if ($label -match '^(\d+)M$') { [long]$Matches[1] * 1000000 / $rowsPerShard } else { 0 }
    if ($n -lt 1 -or $n -gt $expected.per_shard.Count -or $n -ne [Math]::Floor($n)) { throw "No '$label' scale: the data has $($expected.per_shard.Count) shards of $rowsPerShard rows." }
    $folder = Join-Path $DataPath "data-$($label.ToLowerInvariant())"
    $null = New-Item -ItemType Directory -Path $folder -Force
    $sum = [ordered]@{ rows = 0L; url_rows = 0L; domain_rows = 0L; both_rows = 0L; either_rows = 0L; domain_only_rows = 0L }
    for ($i = 0; $i -lt $n; $i++) {
        $shard = $expected.per_shard[$i]
        $target = Join-Path $folder $shard.shard
        if (-not (Test-Path $target)) {
            $source = Join-Path $DataPath "data/$($shard.shard)"
            try { $null = New-Item -ItemType HardLink -Path $target -Target $source } catch { Copy-Item $source $target }
        }
        foreach ($k in @($sum.Keys)) { $sum[$k] += [long]$shard[$k] }
    }
    $sum.path = $folder; $sum.shards = [int]$n
    $scales[$label] = $sum
}

# ---- tools -------------------------------------------------------------------------------------
$duckdb = $null
if (Get-Command node -ErrorAction Ignore) {
    if (-not (Test-Path (Join-Path $DuckDir 'node_modules/@duckdb/node-api'))) {
        Log 'Installing @duckdb/node-api (npm ci in bench/duckdb)'
        Push-Location $DuckDir
        try { npm ci --no-audit --no-fund --silent 2>&1 | Out-Host } finally { Pop-Location }
    }
    if (Test-Path (Join-Path $DuckDir 'node_modules/@duckdb/node-api')) { $duckdb = 'node' }
}
if (-not $duckdb) { Log 'DuckDB (node + @duckdb/node-api) is not available; its baselines are skipped.' }

$commands = @()
$moduleNote = $null
if (Test-Path (Join-Path $ModulePath 'OptOut.psd1')) {
    $probe = Join-Path $Work 'probe.json'
    dotnet pwsh -NoProfile -NonInteractive -File $ChildScript -Mode Probe -ModulePath $ModulePath -ResultPath $probe | Out-Host
    if ($LASTEXITCODE -eq 0 -and (Test-Path $probe)) { $commands = @((Get-Content -Raw $probe | ConvertFrom-Json -AsHashtable).commands) }
    if ('Test-TrainingSet' -notin $commands) { $moduleNote = "the module at $ModulePath has no Test-TrainingSet yet" }
}
else { $moduleNote = "no built module at $ModulePath (run 'dotnet pwsh ./build.ps1')" }
if ($moduleNote) { Log "Module steps skipped: $moduleNote." }
$hasTest = 'Test-TrainingSet' -in $commands
$hasExport = 'Export-CleanTrainingSet' -in $commands

# ---- the gate: Test-TrainingSet and DuckDB, scale by scale -------------------------------------
$runs = [ordered]@{}
foreach ($label in $scales.Keys) {
    $info = $scales[$label]
    $runs[$label] = [ordered]@{ module = @(); quiet = @(); duckdb = @() }
    for ($r = 1; $r -le $Repetitions; $r++) {
        if ($hasTest) {
            $null = Wait-Quiet
            Log "$label, repetition $r/$($Repetitions): Test-TrainingSet"
            $resultPath = Join-Path $Work "test-$label-$r.json"
            Remove-Item $resultPath -ErrorAction Ignore
            $m = Invoke-Measured "Test-TrainingSet ($label)" {
                dotnet pwsh -NoProfile -NonInteractive -File $ChildScript -Mode Test -ModulePath $ModulePath -ResultPath $resultPath -Path $info.path -RegistryPath $registry -ThrottleLimit $Threads
            } -AllowFailure
            if ($m.ExitCode -ne 0 -or -not (Test-Path $resultPath)) { throw "Test-TrainingSet ($label) failed (exit code $($m.ExitCode)): $($m.Output)" }
            $child = Get-Content -Raw $resultPath | ConvertFrom-Json -AsHashtable
            $child.processWall = $m.Wall; $child.loadBefore = $m.LoadBefore; $child.loadAfter = $m.LoadAfter; $child.otherCpu = $m.OtherCpu
            $child.rowsPerSecond = $info.rows / $child.seconds
            $runs[$label].module += $child
            $v = $child.violations
            Log ("  {0:N0} rows/s ({1:N1} s, {2:N1} CPU-s, peak {3:N0} MiB); violations: {4}" -f $child.rowsPerSecond, $child.seconds, $child.cpuSeconds, $child.memory.VmHWM_MiB, (($v.Keys | Sort-Object | ForEach-Object { "$_ $($v[$_])" }) -join ', '))

            Log "$label, repetition $r/$($Repetitions): Test-TrainingSet -Quiet"
            $resultPath = Join-Path $Work "quiet-$label-$r.json"
            Remove-Item $resultPath -ErrorAction Ignore
            $m = Invoke-Measured "Test-TrainingSet -Quiet ($label)" {
                dotnet pwsh -NoProfile -NonInteractive -File $ChildScript -Mode TestQuiet -ModulePath $ModulePath -ResultPath $resultPath -Path $info.path -RegistryPath $registry -ThrottleLimit $Threads
            } -AllowFailure
            if ($m.ExitCode -ne 0 -or -not (Test-Path $resultPath)) { throw "Test-TrainingSet -Quiet ($label) failed (exit code $($m.ExitCode)): $($m.Output)" }
            $quiet = Get-Content -Raw $resultPath | ConvertFrom-Json -AsHashtable
            $quiet.loadBefore = $m.LoadBefore; $quiet.otherCpu = $m.OtherCpu
            $quiet.rowsPerSecond = $info.rows / $quiet.seconds
            $runs[$label].quiet += $quiet
            Log ("  {0:N0} rows/s ({1:N1} s, {2:N1} CPU-s, peak {3:N0} MiB); answer {4}" -f $quiet.rowsPerSecond, $quiet.seconds, $quiet.cpuSeconds, $quiet.memory.VmHWM_MiB, ($quiet.answer -join ','))
        }
        if ($duckdb) {
            if (-not $hasTest) { $null = Wait-Quiet }
            Log "$label, repetition $r/$($Repetitions): DuckDB ($DuckDbDomainJoin)"
            $d = Invoke-Measured "DuckDB gate ($label)" { node $GateMjs gate --data $info.path --urls $refusedUrls --domains $refusedDomains --threads $Threads --domain-join $DuckDbDomainJoin }
            $result = $d.Output | ConvertFrom-Json -AsHashtable
            $result.processWall = $d.Wall; $result.loadBefore = $d.LoadBefore; $result.otherCpu = $d.OtherCpu
            $result.rowsPerSecond = $info.rows / ($result.load_refusals_s + $result.query_s)
            $runs[$label].duckdb += $result
            Log ("  {0:N0} rows/s ({1:N2} s with loading the refusals, peak {2:N0} MiB); url {3}, domain {4}, either {5}" -f $result.rowsPerSecond, ($result.load_refusals_s + $result.query_s), $result.max_rss_mib, $result.url_rows, $result.domain_rows, $result.either_rows)
        }
    }
}

# ---- Export-CleanTrainingSet on the smallest scale, checked by DuckDB ---------------------------
$exportRuns = @(); $duckClean = @(); $checks = @()
$exportLabel = @($scales.Keys)[0]
if (-not $SkipExport) {
    $info = $scales[$exportLabel]
    for ($r = 1; $r -le $Repetitions; $r++) {
        if ($hasExport) {
            $null = Wait-Quiet
            $destination = Join-Path $Work "clean-module"
            if (Test-Path $destination) { Remove-Item $destination -Recurse -Force }
            Log "$exportLabel, repetition $r/$($Repetitions): Export-CleanTrainingSet"
            $resultPath = Join-Path $Work "export-$exportLabel-$r.json"
            Remove-Item $resultPath -ErrorAction Ignore
            $m = Invoke-Measured "Export-CleanTrainingSet" {
                dotnet pwsh -NoProfile -NonInteractive -File $ChildScript -Mode Export -ModulePath $ModulePath -ResultPath $resultPath -Path $info.path -RegistryPath $registry -Destination $destination
            } -AllowFailure
            if ($m.ExitCode -ne 0 -or -not (Test-Path $resultPath)) { throw "Export-CleanTrainingSet failed (exit code $($m.ExitCode)): $($m.Output)" }
            $child = Get-Content -Raw $resultPath | ConvertFrom-Json -AsHashtable
            $child.processWall = $m.Wall; $child.loadBefore = $m.LoadBefore; $child.otherCpu = $m.OtherCpu
            $child.rowsPerSecond = $info.rows / $child.seconds
            $exportRuns += $child
            Log ("  {0:N0} rows/s ({1:N1} s, peak {2:N0} MiB); summary: {3}" -f $child.rowsPerSecond, $child.seconds, $child.memory.VmHWM_MiB, (($child.summary.Keys | ForEach-Object { "$_=$($child.summary[$_])" }) -join ', '))
            if ($duckdb) {
                $checkArgs = @('check', '--original', $info.path, '--cleaned', $destination, '--urls', $refusedUrls, '--domains', $refusedDomains, '--threads', $Threads)
                if ($child.summary.Contains('Removed')) { $checkArgs += @('--removed', $child.summary.Removed) }
                if ($child.summary.Contains('Kept')) { $checkArgs += @('--kept', $child.summary.Kept) }
                $c = Invoke-Measured 'DuckDB check of the cleaned copy' { node $GateMjs @checkArgs } -AllowFailure
                $check = $c.Output | ConvertFrom-Json -AsHashtable
                $checks += $check
                Log "  DuckDB check of the cleaned copy: $(if ($check.ok) { 'ok' } else { 'FAILED: ' + ($check.problems -join '; ') })"
            }
        }
        if ($duckdb) {
            if (-not $hasExport) { $null = Wait-Quiet }
            $destination = Join-Path $Work 'clean-duckdb'
            if (Test-Path $destination) { Remove-Item $destination -Recurse -Force }
            Log "$exportLabel, repetition $r/$($Repetitions): DuckDB writing the cleaned copy"
            $d = Invoke-Measured 'DuckDB clean' { node $GateMjs clean --data $info.path --destination $destination --urls $refusedUrls --domains $refusedDomains --threads $Threads }
            $result = $d.Output | ConvertFrom-Json -AsHashtable
            $result.rowsPerSecond = $info.rows / $result.total_s; $result.loadBefore = $d.LoadBefore; $result.otherCpu = $d.OtherCpu
            $duckClean += $result
            Log ("  {0:N0} rows/s ({1:N2} s)" -f $result.rowsPerSecond, $result.total_s)
            if ($r -eq 1) {
                # The checker checked: DuckDB's own cleaned copy must pass it.
                $c = Invoke-Measured 'DuckDB check of its own copy' { node $GateMjs check --original $info.path --cleaned $destination --urls $refusedUrls --domains $refusedDomains --removed $result.removed --threads $Threads } -AllowFailure
                $selfCheck = $c.Output | ConvertFrom-Json -AsHashtable
                if (-not $selfCheck.ok) { throw "gate.mjs check rejects DuckDB's own cleaned copy: $($selfCheck.problems -join '; ')" }
            }
        }
    }
}

# ---- raw baselines (GateBench raw: no PowerShell) ------------------------------------------------
$raw = [ordered]@{}
if (-not $SkipRaw) {
    foreach ($label in @($scales.Keys | Where-Object { $expected.scales.Contains($_) })) {
        $null = Wait-Quiet
        Log "$label raw baselines: $($RawModes -join ', ')"
        $resultPath = Join-Path $Work "raw-$label.json"
        $m = Invoke-Measured "GateBench raw ($label)" { & $GateBench raw --dir $DataPath --scale $label --threads $Threads --reps $Repetitions --modes ($RawModes -join ',') --result $resultPath }
        $raw[$label] = Get-Content -Raw $resultPath | ConvertFrom-Json -AsHashtable
        $raw[$label].otherCpu = $m.OtherCpu
    }
}

# ---- report ------------------------------------------------------------------------------------
$machine = Get-BenchMachine
$lines = [Collections.Generic.List[string]]::new()
function Line([string] $Text = '') { $lines.Add($Text) }
function Counted($values) { @($values | Where-Object { $null -ne $_ }) }
function Rates($items, [string] $Property) { @($items | ForEach-Object { $_[$Property] }) }
function Verdict([bool] $Ok, [string] $Yes = 'meets', [string] $No = '**misses**') { if ($Ok) { $Yes } else { $No } }
$allLoads = @(foreach ($label in $runs.Keys) { foreach ($x in @($runs[$label].module) + @($runs[$label].duckdb)) { $x.loadBefore } })

Line "### Dataset gate ($(Get-Date -Format 'yyyy-MM-dd HH:mm'))"
Line ''
Line ("Machine: {0} cores ({1}), {2}, {3}, {4}. 1-minute load average before the timed runs: {5}; share of the CPU other processes took during them: {6}." -f `
        $machine.Cores, $machine.Cpu, $machine.Memory, $machine.Os, $machine.Dotnet,
        $(if ($allLoads.Count) { '{0}-{1} (median {2})' -f (N ($allLoads | Measure-Object -Minimum).Minimum 2), (N ($allLoads | Measure-Object -Maximum).Maximum 2), (N (Median $allLoads) 2) } else { 'n/a' }),
        $(
            $shares = @(foreach ($label in $runs.Keys) { foreach ($x in @($runs[$label].module) + @($runs[$label].duckdb)) { $x.otherCpu } }) | Where-Object { $_ -is [double] -and -not [double]::IsNaN($_) }
            if (@($shares).Count) { '{0}% median' -f (N ((Median $shares) * 100) 0) } else { 'n/a' }
        ))
Line ''
Line ("Data: {0} LAION-schema shards of {1:N0} rows (row groups of 100,000; {2}), registry of {3:N0} URL and {4:N0} domain refusals ({5:N0} of the URLs taken from rows across every shard, {6} of the domains hosts or parents of hosts in the data). Medians of {7} repetitions; DuckDB {8} with {9} threads, Test-TrainingSet -ThrottleLimit {9}." -f `
        $expected.per_shard.Count, $expected.per_shard[0].rows, (Format-BenchBytes $expected.data_bytes),
        $expected.refusals.urls, $expected.refusals.domains, $expected.refusals.urls_taken_from_rows, $expected.refusals.domains_of_hosts_in_the_data, $Repetitions,
        $(if ($duckdb -and $runs.Count -and @($runs[@($runs.Keys)[0]].duckdb).Count) { $runs[@($runs.Keys)[0]].duckdb[0].duckdb_version } else { '(not run)' }), $Threads)
Line ''
Line 'Rates are rows over the time of the check itself, loading the refusals included on both sides (the cmdlet reads the registry; DuckDB reads the refusal parquets); the start of the process and the import of the module are excluded and shown apart. Ratio = module / DuckDB.'
Line ''
Line '| figure | target | measured (median) | baseline in the same run (median) | ratio | verdict |'
Line '| --- | --- | --- | --- | --- | --- |'
$peak = @{}
foreach ($label in $runs.Keys) {
    $info = $scales[$label]
    $mod = @($runs[$label].module); $duck = @($runs[$label].duckdb)
    $modRate = Median (Rates $mod 'rowsPerSecond')
    $duckRate = Median (Rates $duck 'rowsPerSecond')
    $measured = if ($mod.Count) {
        $consumer = Median @($mod | ForEach-Object { if ($_.Contains('consumerSeconds')) { $_.consumerSeconds } })
        '{0} rows/s ({1} s, of which about {4} s is the counting pipeline''s own cost; {2} CPU-s; since process start, with pwsh start-up and module import, {3} s)' -f (N $modRate), (N (Median (Rates $mod 'seconds')) 2), (N (Median (Rates $mod 'cpuSeconds')) 1), (N (Median (Rates $mod 'sinceProcessStart')) 1), (N $consumer 2)
    } else { "not run: $moduleNote" }
    $baseline = if ($duck.Count) { 'DuckDB: {0} rows/s ({1} s query + {2} s loading the refusals; {3} CPU-s)' -f (N $duckRate), (N (Median (Rates $duck 'query_s')) 2), (N (Median (Rates $duck 'load_refusals_s')) 2), (N (Median (Rates $duck 'cpu_s')) 1) } else { 'DuckDB not run' }
    $ratio = if ($mod.Count -and $duck.Count) { '× {0}' -f (N ($modRate / $duckRate) 2) } else { '' }
    $verdict = if ($mod.Count) { Verdict ($modRate -ge 1e6) } else { 'not run' }
    Line "| ``Test-TrainingSet`` URL + domain rules, $label rows ($($info.shards) shard$(if ($info.shards -ne 1) { 's' })) | ≥ 1,000,000 rows/s on $Threads cores | $measured | $baseline | $ratio | $verdict |"
    $quiet = @($runs[$label].quiet)
    if ($quiet.Count) {
        $qRate = Median (Rates $quiet 'rowsPerSecond')
        $answers = @($quiet | ForEach-Object { $_.answer -join ',' } | Sort-Object -Unique) -join ' / '
        $qOk = $answers -eq 'False'
        Line ("| ``Test-TrainingSet -Quiet`` (the CI gate's form: no violation objects), $label rows | ≥ 1,000,000 rows/s on $Threads cores | {0} rows/s ({1} s; {2} CPU-s; peak {3} MiB); answered {4}{5} | DuckDB as above: {6} rows/s | × {7} | {8} |" -f (N $qRate), (N (Median (Rates $quiet 'seconds')) 2), (N (Median (Rates $quiet 'cpuSeconds')) 1), (N (Median @($quiet | ForEach-Object { $_.memory.VmHWM_MiB }))), $answers, $(if ($qOk) { ' (right: not clean)' } else { ' **(expected False)**' }), (N $duckRate), (N ($qRate / $duckRate) 2), (Verdict ($qRate -ge 1e6)))
    }
    $peak[$label] = @{ module = (Median @($mod | ForEach-Object { $_.memory.VmHWM_MiB })); duckdb = (Median (Rates $duck 'max_rss_mib')) }
}
$labels = @($runs.Keys)
if ($labels.Count -ge 2) {
    $large = $labels[-1]
    # Compared with the smallest scale that keeps as many workers busy (a shard a worker), so the
    # figure shows growth with the data, not with the number of shards read at once; else the smallest.
    $busy = { param($l) [Math]::Min([int]$scales[$l].shards, $Threads) }
    $small = @($labels | Where-Object { $_ -ne $large -and (& $busy $_) -eq (& $busy $large) } | Select-Object -First 1)
    $small = if ($small.Count) { $small[0] } else { $labels[0] }
    $m1 = $peak[$small].module; $m2 = $peak[$large].module
    $series = ($labels | ForEach-Object { "$(N $peak[$_].module) MiB at $_ ($(& $busy $_) worker$(if ((& $busy $_) -ne 1) { 's' }))" }) -join ', '
    $measured = if (-not [double]::IsNaN($m1)) { "peak RSS (VmHWM): $series" } else { "not run: $moduleNote" }
    $baseline = 'DuckDB peak RSS: ' + (($labels | ForEach-Object { "$(N $peak[$_].duckdb) MiB at $_" }) -join ', ')
    $ratio = if (-not [double]::IsNaN($m1)) { '× {0} ({1} vs {2})' -f (N ($m2 / $m1) 2), $large, $small } else { '' }
    $verdict = if (-not [double]::IsNaN($m1)) { Verdict ($m2 -le 1.25 * $m1) "meets ($large within 25% of $small)" '**grows**' } else { 'not run' }
    Line "| peak memory of ``Test-TrainingSet``, $($labels -join ' vs ') rows | does not grow with the dataset | $measured | $baseline | $ratio | $verdict |"
}
foreach ($label in $runs.Keys) {
    $info = $scales[$label]
    $want = "Url $(N $info.url_rows), Domain $(N $info.domain_rows) (both $(N $info.both_rows), either $(N $info.either_rows))"
    $mod = @($runs[$label].module); $duck = @($runs[$label].duckdb)
    $modText = 'not run'; $modOk = $null
    if ($mod.Count) {
        $v = $mod[0].violations
        $url = [long]$v['Url']; $dom = [long]$v['Domain']
        $others = @($v.Keys | Where-Object { $_ -notin 'Url', 'Domain' })
        $consistent = @($mod | Where-Object { [long]$_.violations['Url'] -ne $url -or [long]$_.violations['Domain'] -ne $dom }).Count -eq 0
        $convention = if ($url -eq $info.url_rows -and $dom -eq $info.domain_rows) { 'one finding a rule' } elseif ($url -eq $info.url_rows -and $dom -eq $info.domain_only_rows) { 'one finding a row, Url first' } else { $null }
        $modOk = $consistent -and $convention -and $others.Count -eq 0 -and @($mod | Where-Object { $_.errors.Count }).Count -eq 0
        $modText = "module: Url $(N $url), Domain $(N $dom)$(if ($others) { ', ' + (($others | ForEach-Object { "$_ $($v[$_])" }) -join ', ') })$(if ($convention) { " ($convention)" })$(if (-not $consistent) { '; differs between repetitions' })$(if ($mod[0].errors.Count) { "; errors: $($mod[0].errors -join '; ')" })"
    }
    $duckText = 'DuckDB not run'; $duckOk = $null
    if ($duck.Count) {
        $d = $duck[0]
        $duckOk = $d.url_rows -eq $info.url_rows -and $d.domain_rows -eq $info.domain_rows -and $d.both_rows -eq $info.both_rows
        $duckText = "DuckDB: Url $(N $d.url_rows), Domain $(N $d.domain_rows), both $(N $d.both_rows), either $(N $d.either_rows)"
    }
    $verdict = @(
        if ($null -ne $modOk) { if ($modOk) { 'module equal' } else { '**module differs**' } }
        if ($null -ne $duckOk) { if ($duckOk) { 'DuckDB equal' } else { '**DuckDB differs**' } }
    ) -join ', '
    Line "| violations found, $label rows | the generator's count: $want | $modText | $duckText | | $verdict |"
}
if (-not $SkipExport) {
    $info = $scales[$exportLabel]
    $measured = if ($exportRuns.Count) {
        $s = $exportRuns[0].summary
        '{0} rows/s ({1} s; peak {2} MiB); summary {3}' -f (N (Median (Rates $exportRuns 'rowsPerSecond'))), (N (Median (Rates $exportRuns 'seconds')) 2), (N (Median @($exportRuns | ForEach-Object { $_.memory.VmHWM_MiB }))), (($s.Keys | Where-Object { $_ -in 'Rows', 'Kept', 'Removed' } | ForEach-Object { "$_ $(N $s[$_])" }) -join ', ')
    } else { "not run: $(if ($hasExport) { '' } elseif (Test-Path (Join-Path $ModulePath 'OptOut.psd1')) { "the module at $ModulePath has no Export-CleanTrainingSet yet" } else { $moduleNote })" }
    $baseline = if ($duckClean.Count) { 'DuckDB COPY of the kept rows in file order: {0} rows/s ({1} s)' -f (N (Median (Rates $duckClean 'rowsPerSecond'))), (N (Median (Rates $duckClean 'total_s')) 2) } else { 'DuckDB not run' }
    $ratio = if ($exportRuns.Count -and $duckClean.Count) { '× {0}' -f (N ((Median (Rates $exportRuns 'rowsPerSecond')) / (Median (Rates $duckClean 'rowsPerSecond'))) 2) } else { '' }
    Line "| ``Export-CleanTrainingSet``, $exportLabel rows | (no figure in the issue) | $measured | $baseline | $ratio | |"
    if ($checks.Count) {
        $c = $checks[0]
        $f = @($c.files)[0]
        $detail = "schema $(if ($f.same_schema) { 'same (DESCRIBE)' } else { 'DIFFERENT' }), rows $(N $c.cleaned_rows) = $(N $c.original_rows) - $(N $c.removed_by_duckdb), row order and content mismatches $($f.row_mismatches), $($f.cleaned_row_groups) row group(s)$(if (-not $f.physical_schema_same) { '; physical schema notes: ' + ($f.physical_schema_notes -join '; ') })"
        $ok = @($checks | Where-Object { -not $_.ok }).Count -eq 0
        Line "| cleaned copy read by DuckDB (``gate.mjs check``, every repetition) | same columns, types and order; rows = original − removed; no refused row left; original row order | $detail$(if (-not $ok) { '; problems: ' + (@($checks | ForEach-Object { $_.problems }) -join '; ') }) | | | $(Verdict $ok 'passes' '**fails**') |"
    }
    else {
        Line "| cleaned copy read by DuckDB (``gate.mjs check``) | same columns, types and order; rows = original − removed; no refused row left; original row order | not run | (the checker passes DuckDB's own cleaned copy) | | |"
    }
}
Line ''
if ($raw.Count) {
    Line '#### Where the time goes: raw baselines (`bench/GateBench raw`, no PowerShell)'
    Line ''
    Line "The same shards read in one .NET process, shards in parallel on $Threads threads (so one shard keeps one thread busy, unless split by row group), refusals in ``HashSet<string>``s (host decisions cached per host). ``Read*``: Parquet.Net reading columns only; ``Check*``: the URL and domain rules on top; ``EngineReader*``: the engine's ``ParquetMetadataShard.ReadRows`` (every column it maps: key, URL, caption, sizes, ...), which an engine-side gate reusing the index importer's reader would pay."
    Line ''
    Line ('| step | ' + ((@($raw.Keys) | ForEach-Object { "$_ rows/s (rows per CPU-s; allocation)" }) -join ' | ') + ' |')
    Line ('| --- | ' + ((@($raw.Keys) | ForEach-Object { '---' }) -join ' | ') + ' |')
    $descriptions = [ordered]@{
        EngineGate            = 'the engine''s `TrainingSetGate` driven directly (the cmdlet''s work without PowerShell; rules loaded beforehand)'
        ReadUrl               = 'Parquet.Net: URL column only'
        ReadKeyUrl            = 'Parquet.Net: SAMPLE_ID + URL'
        CheckKeyUrl           = 'SAMPLE_ID + URL, URL and domain lookups'
        CheckKeyUrlNormalized = 'the same with `UrlNormalizer.Normalize` per URL'
        EngineReader          = '`ParquetMetadataShard.ReadRows` alone'
        EngineReaderCheck     = '`ParquetMetadataShard.ReadRows` + normalise + lookups'
    }
    foreach ($mode in $RawModes) {
        $cells = foreach ($label in $raw.Keys) {
            $e = $raw[$label].modes[$mode]
            if ($e) { '{0} ({1}; {2} B allocated a row){3}' -f (N $e.rows_per_s), (N $e.rows_per_cpu_s), $(if ($e.Contains('allocated_bytes_per_row')) { N $e.allocated_bytes_per_row } else { 'n/a' }), $(if ($e.Contains('matches_expected') -and -not $e.matches_expected) { ' **counts differ**' }) } else { '' }
        }
        $base = $mode -replace '/rg$', ''
        $text = $descriptions[$base] ?? $base
        if ($mode -ne $base) { $text += ', split by row group (both threads busy on one shard)' }
        Line "| $text | $($cells -join ' | ') |"
    }
    $loadRows = [ordered]@{
        engine_load_rules_s                    = 'loading the 1M + 10k refusals: the engine''s `ConsentRules.Load(ReadActiveClaims())` (what the cmdlets do first)'
        engine_read_active_claims_s            = '… of which the registry query: `ReadActiveClaims()` enumerated into a list'
        engine_rules_from_memory_s             = '… of which `ConsentRules.Load` over claims already in memory'
        load_refusals_sqlite_s                 = '… into `HashSet<string>`s instead: SQLite, active refusals (revocations joined)'
        load_refusals_sqlite_covering_s        = '… the targets read from the covering index `claims_where(kind, host_rev, target)` alone'
        scan_refusals_sqlite_covering_no_sets_s = '… that scan without building the sets (SQLite + ADO.NET reader)'
        build_url_set_in_memory_s              = '… building the 1M-URL `HashSet` from strings in memory'
        load_refusals_registrystore_s          = '… through `RegistryStore.Read` (every column of each record)'
        load_refusals_parquet_s                = '… from the refusal parquets (what DuckDB reads)'
    }
    foreach ($key in $loadRows.Keys) {
        Line "| $($loadRows[$key]) | $((@($raw.Keys) | ForEach-Object { $x = $raw[$_]; if ($x.Contains($key)) { "$(N $x[$key] 2) s" } else { '' } }) -join ' | ') |"
    }
    Line ''
}
function GcText($x) {
    if (-not $x.Contains('gc')) { return '' }
    $g = $x.gc
    "; GC: $($g.gen0)/$($g.gen1)/$($g.gen2) collections (gen0/1/2), $(N $g.pauseSeconds 2) s paused, $(N $g.allocatedMiB) MiB allocated"
}
Line '#### Repetitions'
Line ''
foreach ($label in $runs.Keys) {
    foreach ($x in $runs[$label].module) { Line ("- $label Test-TrainingSet: {0} rows/s, {1} s (counting block alone {7} s), {2} CPU-s, peak {3} MiB, import {4} s, load {5}, others' CPU {6}%$(GcText $x)" -f (N $x.rowsPerSecond), (N $x.seconds 2), (N $x.cpuSeconds 1), (N $x.memory.VmHWM_MiB), (N $x.importSeconds 1), (N $x.loadBefore 2), (N ($x.otherCpu * 100)), (N $(if ($x.Contains('consumerSeconds')) { $x.consumerSeconds } else { [double]::NaN }) 2)) }
    foreach ($x in $runs[$label].quiet) { Line ("- $label Test-TrainingSet -Quiet: {0} rows/s, {1} s, {2} CPU-s, peak {3} MiB, load {4}, others' CPU {5}%$(GcText $x)" -f (N $x.rowsPerSecond), (N $x.seconds 2), (N $x.cpuSeconds 1), (N $x.memory.VmHWM_MiB), (N $x.loadBefore 2), (N ($x.otherCpu * 100))) }
    foreach ($x in $runs[$label].duckdb) { Line ("- $label DuckDB: {0} rows/s, {1} s query + {2} s refusals, {3} CPU-s, peak {4} MiB, load {5}, others' CPU {6}%" -f (N $x.rowsPerSecond), (N $x.query_s 2), (N $x.load_refusals_s 2), (N $x.cpu_s 1), (N $x.max_rss_mib), (N $x.loadBefore 2), (N ($x.otherCpu * 100))) }
}
foreach ($x in $exportRuns) { Line ("- $exportLabel Export-CleanTrainingSet: {0} rows/s, {1} s, peak {2} MiB, load {3}$(GcText $x)" -f (N $x.rowsPerSecond), (N $x.seconds 2), (N $x.memory.VmHWM_MiB), (N $x.loadBefore 2)) }
foreach ($x in $duckClean) { Line ("- $exportLabel DuckDB clean copy: {0} rows/s, {1} s, peak {2} MiB, load {3}" -f (N $x.rowsPerSecond), (N $x.total_s 2), (N $x.max_rss_mib), (N $x.loadBefore 2)) }
Line ''
Line "Run: ``dotnet pwsh bench/Gate.Bench.ps1 -ModulePath out/OptOut`` (or ``dotnet pwsh ./build.ps1 Bench``); inputs are generated on the first run into ``out/bench-data/gate-v1`` (about 2 minutes; 10 shards, registry and refusal lists)."

$header = @'
# Dataset gate benchmarks

Figures written by `bench/Gate.Bench.ps1` for issue 5's speed targets: `Test-TrainingSet`'s URL and
domain rules over a 10M-row LAION-schema parquet set (10 shards) against a registry of 1M URL and
10,000 domain refusals, at least 1M rows/s on 2 cores, next to DuckDB (npm `@duckdb/node-api`,
`bench/duckdb/gate.mjs`) doing the same anti-join on the same files in the same run; peak memory at
1M and 10M rows; `Export-CleanTrainingSet`'s parquet output read back by DuckDB. The section between
the markers is replaced on each run; text outside it is kept. The machine is shared: read the load
figures beside the medians.
'@
$markdown = $lines -join "`n"
Set-BenchDocSection -Path $DocsPath -Name 'gate' -Markdown $markdown -Header $header
Write-Host ''
Write-Host $markdown
Write-Host ''
Write-Host "Figures written to $DocsPath (section bench:gate)."
