<#
.SYNOPSIS
    What Find-TrainedImage -IncludeRotated costs a query picture, beside the same search without it.

.DESCRIPTION
    Imports a folder of real artworks (Debian's openclipart-png) as an image-folder training set, then
    searches it with other artworks, with and without -IncludeRotated, alternating, and prints the
    median milliseconds a query picture for each and their ratio. The switch adds four rotated views
    of each picture: four more model runs plus their searches.

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
    for ($r = 0; $r -lt $Repetitions; $r++) {
        $plain.Add((Measure-Command { $null = $queries | Find-TrainedImage -IndexPath $index }).TotalMilliseconds / $queries.Count)
        $turned.Add((Measure-Command { $null = $queries | Find-TrainedImage -IndexPath $index -IncludeRotated }).TotalMilliseconds / $queries.Count)
    }
    $median = { param($v) $s = @($v | Sort-Object); $s[[math]::Floor(($s.Count - 1) / 2)] }
    $p = & $median $plain
    $t = & $median $turned
    [pscustomobject]@{
        IndexedImages             = $IndexedImages
        QueryImages               = $queries.Count
        MsPerQuery                = [math]::Round($p, 1)
        MsPerQueryIncludeRotated  = [math]::Round($t, 1)
        Ratio                     = [math]::Round($t / $p, 2)
        Runs                      = "$(($plain | ForEach-Object { [math]::Round($_, 1) }) -join ' / ') ms; with the switch $(($turned | ForEach-Object { [math]::Round($_, 1) }) -join ' / ') ms"
    }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
