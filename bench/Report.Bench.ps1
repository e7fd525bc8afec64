#Requires -Version 7.6
<#
.SYNOPSIS
    Match report benchmark (issue 15): writes reports of N matches and opens them in headless
    Chromium beside a plain-table baseline (bench/ReportBench), and puts the figures into
    docs/report.md (section bench:report).
.DESCRIPTION
    For each -MatchCount size, ReportBench generates the training set's JPEGs (cached under the temp
    folder), writes the report with thumbnails in a folder and embedded, and the baseline table, then
    opens the three pages in turn -Repetitions times at 1280x900 and prints the medians of
    DOMContentLoaded, the first screen of cards painted, load and every card built. The sizes show
    where embedded thumbnails stop paying (Export-MatchReport -Thumbnails Auto). Needs
    /usr/bin/chromium (or OPTOUT_CHROMIUM). Nothing here asserts on time.
.EXAMPLE
    dotnet pwsh bench/Report.Bench.ps1
.EXAMPLE
    dotnet pwsh bench/Report.Bench.ps1 -MatchCount 1000 -Repetitions 3    # a quick pass
#>
[CmdletBinding()]
param(
    [string[]] $MatchCount = @('1000', '3000', '10000'),
    [ValidateRange(1, 20)] [int] $Repetitions = 5,
    [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# -File passes "a,b" as one string: accept both forms.
$sizes = @($MatchCount | ForEach-Object { $_ -split ',' } | ForEach-Object { [int] $_.Trim() })
. (Join-Path $PSScriptRoot 'Bench.Common.ps1')

$Root = Split-Path $PSScriptRoot -Parent
$DocsPath = if ($DocsPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DocsPath) } else { Join-Path $Root 'docs/report.md' }
$chromium = if ($env:OPTOUT_CHROMIUM) { $env:OPTOUT_CHROMIUM } else { '/usr/bin/chromium' }
if (-not (Test-Path $chromium)) { throw "The report benchmark needs Chromium at '$chromium' (Debian: apt-get install -y chromium; build.ps1 Test installs it)." }

$project = Join-Path $PSScriptRoot 'ReportBench/ReportBench.csproj'
$out = Join-Path $Root 'out/bench/ReportBench'
Invoke-BenchNative 'Building ReportBench' { dotnet build $project -c Release -o $out --nologo --verbosity quiet -clp:ErrorsOnly | Out-Host }

$machine = Get-BenchMachine
$sections = foreach ($n in $sizes) {
    $table = [IO.Path]::GetTempFileName()
    try {
        $load = Get-BenchLoadAverage
        Invoke-BenchNative "ReportBench --matches $n" { dotnet (Join-Path $out 'ReportBench.dll') --matches $n --repetitions $Repetitions --markdown $table | Out-Host }
        "### $($n.ToString('N0', [Globalization.CultureInfo]::InvariantCulture)) matches (load average $(Format-BenchNumber $load 1) at the start)`n`n$((Get-Content -Raw $table).Trim())"
    }
    finally { Remove-Item $table -ErrorAction Ignore }
}
$markdown = @"
Written by ``bench/Report.Bench.ps1`` (``build.ps1 Bench``) on $(Get-Date -Format 'yyyy-MM-dd'): $($machine.Cores) cores ($($machine.Cpu)), $($machine.Memory), $($machine.Os).

$($sections -join "`n`n")
"@
Set-BenchDocSection -Path $DocsPath -Name 'report' -Markdown $markdown -Header '# The visual match report'
Write-Host $markdown
Write-Host "Figures written to $DocsPath (section bench:report)."
