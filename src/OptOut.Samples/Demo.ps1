<#
.SYNOPSIS
    The README's main job on the bundled sample: a sample artist's works, copies of them "found" in
    the wild, and the module telling which copy is whose.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$samples = Join-Path (Split-Path $ModulePath) 'samples/OptOut.Samples.dll'
if (Test-Path $WorkPath) { Remove-Item $WorkPath -Recurse -Force }
$artist = Join-Path $WorkPath 'artist'
$found = Join-Path $WorkPath 'found-online'
$null = dotnet $samples artist $artist 4
$null = dotnet $samples copies $found 2

Write-Host "`n1. The artist's own files, fingerprinted:" -ForegroundColor Green
$works = Get-ChildItem $artist -File | Get-ImageFingerprint -IncludeEmbedding
$works | Format-Table | Out-Host

Write-Host "2. Copies found online (re-encoded, resized, cropped, padded, watermarked, gray, rotated, brightened), matched to the nearest work:" -ForegroundColor Green
$copies = Get-ChildItem $found -File | Get-ImageFingerprint -IncludeEmbedding
$rows = foreach ($copy in $copies) {
    $best = $works | ForEach-Object {
        $dot = 0.0; for ($i = 0; $i -lt $_.Embedding.Length; $i++) { $dot += $_.Embedding[$i] * $copy.Embedding[$i] }
        $distance = [System.Numerics.BitOperations]::PopCount([Convert]::ToUInt64($_.PerceptualHash, 16) -bxor [Convert]::ToUInt64($copy.PerceptualHash, 16))
        [pscustomobject]@{ Work = Split-Path $_.Path -Leaf; Cosine = [math]::Round($dot, 3); HashDistance = $distance }
    } | Sort-Object Cosine -Descending | Select-Object -First 1
    [pscustomobject]@{ Copy = Split-Path $copy.Path -Leaf; NearestWork = $best.Work; Cosine = $best.Cosine; HashDistance = $best.HashDistance }
}
$rows | Format-Table -AutoSize | Out-Host

Write-Host '3. A damaged file is reported and the rest goes on:' -ForegroundColor Green
$broken = Join-Path $WorkPath 'broken.jpg'
$bytes = [System.IO.File]::ReadAllBytes((Get-ChildItem $found -File | Select-Object -First 1).FullName)
[System.IO.File]::WriteAllBytes($broken, $bytes[0..($bytes.Length / 2)])
Get-ImageFingerprint $broken, (Get-ChildItem $artist -File | Select-Object -First 1).FullName -ErrorVariable problems -ErrorAction SilentlyContinue | Format-Table | Out-Host
$problems | ForEach-Object { Write-Host "   $($_.FullyQualifiedErrorId): $($_.Exception.Message)" -ForegroundColor Yellow }
