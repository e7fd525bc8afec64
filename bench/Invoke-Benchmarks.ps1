#Requires -Version 7.6
<#
.SYNOPSIS
    Runs the OptOut benchmarks and writes their figures into docs/benchmarks.md.
.DESCRIPTION
    The entry point for every benchmark under bench/ (build.ps1's Bench task calls it with the built
    module). Each benchmark lives in its own bench/<Name>.Bench.ps1, defines one function that
    returns @{ Name; Markdown; Text } and is listed in $Benchmarks below; its Markdown replaces the
    section between <!-- bench:<Name> --> and <!-- /bench:<Name> --> in the docs file, so other
    benchmarks' sections and hand-written text around them are kept.

    Benchmarks print figures; nothing here asserts on time (machines are shared and noisy: compare
    medians, and rerun on a quiet machine before drawing conclusions).
.PARAMETER ModulePath
    The built module folder (out/OptOut), holding OptOut.psd1 and models/.
.PARAMETER ImageCount
    How many real images the throughput benchmarks use (a deterministic sample).
.PARAMETER Repetitions
    How many times each figure is measured; the docs show each one and the median.
.PARAMETER DocsPath
    The markdown file the figures are written into (docs/benchmarks.md of this repository by default).
.PARAMETER ImageSource
    A folder of images to sample from. By default Debian's openclipart-png, installed when absent.
.PARAMETER Benchmark
    Runs only the named benchmarks (all by default).
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Invoke-Benchmarks.ps1 -ModulePath out/OptOut -ImageCount 100 -Repetitions 5
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [ValidateRange(1, 100000)]
    [int] $ImageCount = 300,

    [ValidateRange(1, 100)]
    [int] $Repetitions = 3,

    [string] $DocsPath,

    [string] $ImageSource,

    # 'index' (bench/IndexScale.ps1: 1M-row imports, a two-threaded 1M HNSW build) takes most of an
    # hour on two cores, so it runs only when named. 'gate' (bench/Gate.Bench.ps1: Test-TrainingSet
    # and DuckDB over 1M and 10M rows, Export-CleanTrainingSet checked by DuckDB) takes about ten
    # minutes, plus two to generate its inputs the first time. 'report' (bench/Report.Bench.ps1: match
    # reports of 1,000 to 10,000 matches opened in headless Chromium) takes about fifteen minutes, most
    # of it making 28,000 thumbnails twice.
    [ValidateSet('fingerprint', 'registry', 'copies', 'rotated', 'index', 'gate', 'report')]
    [string[]] $Benchmark = @('fingerprint', 'registry', 'copies', 'rotated', 'gate', 'report')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'Bench.Common.ps1')
. (Join-Path $PSScriptRoot 'Fingerprint.Bench.ps1')

$ModulePath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ModulePath)
if (-not (Test-Path (Join-Path $ModulePath 'OptOut.psd1'))) {
    throw "No built module at '$ModulePath' (expected OptOut.psd1 there); run 'dotnet pwsh ./build.ps1' first."
}
$DocsPath = if ($DocsPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DocsPath) } else { Join-Path $RepoRoot 'docs/benchmarks.md' }

# name -> the function that runs it
$Benchmarks = [ordered]@{
    fingerprint = { Invoke-FingerprintBenchmark -RepoRoot $RepoRoot -ModulePath $ModulePath -ImageCount $ImageCount -Repetitions $Repetitions -ImageSource $ImageSource }
}

$DocsHeader = @'
# Benchmarks

Figures written by `bench/Invoke-Benchmarks.ps1` (`dotnet pwsh ./build.ps1 Bench`). Each section is
replaced when its benchmark runs again; text outside the `<!-- bench:... -->` markers is kept.
Machines are shared and noisy: read the medians and the load average, and compare figures only
between runs on the same machine.
'@

# Benchmarks that are scripts of their own, each writing its own document or section.
$Scripts = [ordered]@{
    registry = @{ Script = 'Registry.Bench.ps1'; Arguments = @('-ModulePath', $ModulePath, '-DocsPath', $DocsPath) }
    copies   = @{ Script = 'CopyCalibration.ps1'; Arguments = @('-ModulePath', $ModulePath) }
    rotated  = @{ Script = 'FindRotated.Bench.ps1'; Arguments = @('-ModulePath', $ModulePath, '-Repetitions', $Repetitions) }
    index    = @{ Script = 'IndexScale.ps1'; Arguments = @('-ModulePath', $ModulePath) }
    gate     = @{ Script = 'Gate.Bench.ps1'; Arguments = @('-ModulePath', $ModulePath, '-Repetitions', $Repetitions) }
    report   = @{ Script = 'Report.Bench.ps1'; Arguments = @() }
}

Push-Location $RepoRoot
try {
    foreach ($name in $Benchmarks.Keys) {
        if ($name -notin $Benchmark) { continue }
        $result = & $Benchmarks[$name]
        Set-BenchDocSection -Path $DocsPath -Name $result.Name -Markdown $result.Markdown -Header $DocsHeader
        Write-Host ''
        Write-Host $result.Text
        Write-Host "Figures written to $DocsPath (section bench:$($result.Name))."
    }
    foreach ($name in $Scripts.Keys) {
        if ($name -notin $Benchmark) { continue }
        $entry = $Scripts[$name]
        dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot $entry.Script) @($entry.Arguments)
        if ($LASTEXITCODE -ne 0) { throw "$($entry.Script) failed (exit code $LASTEXITCODE)." }
    }
}
finally { Pop-Location }
