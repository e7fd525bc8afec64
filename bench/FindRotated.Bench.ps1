<#
.SYNOPSIS
    What Find-TrainedImage -IncludeRotated and -IncludeCropped cost a query picture, beside the same search without them.

.DESCRIPTION
    Imports a folder of real artworks (Debian's openclipart-png) as an image-folder training set, then
    searches it with other artworks, without either switch, with -IncludeRotated and with -IncludeCropped,
    alternating, and prints the median milliseconds a query picture for each and their ratios to the
    plain search. -IncludeRotated adds four rotated views of each picture, -IncludeCropped two centre
    cuts: that many more model runs plus their searches.

.EXAMPLE
    dotnet pwsh bench/FindRotated.Bench.ps1 -ModulePath out/OptOut
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ImageSource = '/usr/share/openclipart/png',
    [int] $IndexedImages = 300,
    [int] $QueryImages = 40,
    [int] $Repetitions = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Resolve-Path $ModulePath).Path

$images = @(Get-ChildItem -LiteralPath $ImageSource -Recurse -File -Filter '*.png' | Where-Object { -not $_.LinkType } | Sort-Object FullName)
if ($images.Count -lt $IndexedImages + $QueryImages) { throw "Need $($IndexedImages + $QueryImages) PNG files under $ImageSource, found $($images.Count)." }
$stride = [math]::Floor($images.Count / ($IndexedImages + $QueryImages))
$picked = @(for ($i = 0; $i -lt $IndexedImages + $QueryImages; $i++) { $images[$i * $stride] })

$work = Join-Path ([System.IO.Path]::GetTempPath()) "optout-find-rotated-$PID"
$set = Join-Path $work 'set'
$null = New-Item -ItemType Directory -Path $set -Force
try {
    $picked[0..($IndexedImages - 1)] | ForEach-Object -Begin { $n = 0 } -Process { Copy-Item -LiteralPath $_.FullName -Destination (Join-Path $set ('{0:0000}.png' -f $n++)) }
    $index = Join-Path $work 'index.db'
    $null = Import-TrainingSet -Path $set -Name 'clipart' -IndexPath $index
    $queries = @($picked[$IndexedImages..($IndexedImages + $QueryImages - 1)].FullName)
    $null = $queries[0] | Find-TrainedImage -IndexPath $index -IncludeRotated  # warm-up: model, hash index

    $plain = [System.Collections.Generic.List[double]]::new()
    $turned = [System.Collections.Generic.List[double]]::new()
    $cropped = [System.Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Repetitions; $r++) {
        $plain.Add((Measure-Command { $null = $queries | Find-TrainedImage -IndexPath $index }).TotalMilliseconds / $queries.Count)
        $turned.Add((Measure-Command { $null = $queries | Find-TrainedImage -IndexPath $index -IncludeRotated }).TotalMilliseconds / $queries.Count)
        $cropped.Add((Measure-Command { $null = $queries | Find-TrainedImage -IndexPath $index -IncludeCropped }).TotalMilliseconds / $queries.Count)
    }
    $median = { param($v) $s = @($v | Sort-Object); $s[[math]::Floor(($s.Count - 1) / 2)] }
    $runs = { param($v) ($v | ForEach-Object { [math]::Round($_, 1) }) -join ' / ' }
    $p = & $median $plain
    $t = & $median $turned
    $c = & $median $cropped
    [pscustomobject]@{
        IndexedImages             = $IndexedImages
        QueryImages               = $queries.Count
        MsPerQuery                = [math]::Round($p, 1)
        MsPerQueryIncludeRotated  = [math]::Round($t, 1)
        Ratio                     = [math]::Round($t / $p, 2)
        MsPerQueryIncludeCropped  = [math]::Round($c, 1)
        RatioCropped              = [math]::Round($c / $p, 2)
        Runs                      = "$(& $runs $plain) ms; -IncludeRotated $(& $runs $turned) ms; -IncludeCropped $(& $runs $cropped) ms"
    }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
