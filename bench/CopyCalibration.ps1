#Requires -Version 7.6
<#
.SYNOPSIS
    Calibrates the copy rule (CopyRule) on real artworks and their altered copies among thousands of
    unrelated images, and writes the figures to docs/copy-detection.md.
.DESCRIPTION
    Builds and runs the console app bench/CopyCalibration: it picks originals and distractors from
    Debian's openclipart-png (deterministically), makes each original's eight altered copies
    (OptOut.Samples.Alterations), fingerprints everything with the module's own decoding, perceptual
    hash and bundled ResNet18, scores every original against every indexed item and searches the
    rule's four thresholds. The report (method, chosen rule, per-alteration recall with overall
    precision, baselines, score distributions) replaces docs/copy-detection.md and is printed.

    Fingerprints are cached under out/copy-calibration/ (keyed by content, model and engine build), so
    a rerun with the same engine takes seconds. A cold run fingerprints about 3,350 images: minutes on
    a 2-core machine.
.PARAMETER ModulePath
    The built module folder (out/OptOut), holding models/ResNet18.onnx and models/ResNetPreprocess.onnx.
.PARAMETER QueryCount
    How many originals (each gets 8 altered copies in the index).
.PARAMETER DistractorCount
    How many unrelated images the index holds besides the copies.
.PARAMETER MinQuerySide
    Originals are drawn from images at least this many pixels on the short side.
.PARAMETER ImageSource
    The folder of PNG images; Debian's openclipart-png (/usr/share/openclipart/png) by default,
    installed with apt-get when absent and this runs as root.
.PARAMETER DocsPath
    The markdown file written (docs/copy-detection.md of this repository by default).
.PARAMETER Verify
    Also runs the geometric verification experiment (--verify): every candidate pair goes through
    OptOut.Core.Matching.GeometricVerifier; its section (rule alone against rule + verification, same run) is
    written to out/copy-calibration/verification.md, not into DocsPath.
.PARAMETER HardPerQuery
    With -Verify: hard negatives (drawings whose file names share a word with an original) per original.
.PARAMETER ExtraDistractors
    Folders of other drawings (icon themes under /usr/share/icons, installed by build.ps1 Bench) that add
    distractors besides the source's own; one picture per icon name and theme, none byte-identical to another.
.PARAMETER CandidateTop
    With -Verify: candidates per original by cosine (besides hash distance <= 16 and the rule's accepts).
.PARAMETER FingerprintOnly
    Only fills the fingerprint cache (originals, copies, hard negatives, then the distractors spread evenly)
    and stops: on a slow machine, run this first (it may be stopped and resumed), then the calibration.
.PARAMETER CachedDistractorsOnly
    Leaves out the distractors whose fingerprint is not cached yet; the report says how many were kept.
.PARAMETER Threads
    ONNX Runtime intra-op threads (images are processed one at a time).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/CopyCalibration.ps1 -ModulePath out/OptOut
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [ValidateRange(10, 5000)]
    [int] $QueryCount = 150,

    [ValidateRange(100, 100000)]
    [int] $DistractorCount = 2000,

    [ValidateRange(1, 10000)]
    [int] $MinQuerySide = 200,

    [string] $ImageSource,

    [string] $DocsPath,

    [ValidateRange(1, 64)]
    [int] $Threads = 2,

    [switch] $Verify,

    [ValidateRange(0, 20)]
    [int] $HardPerQuery = 3,

    [string[]] $ExtraDistractors = @(),

    [ValidateRange(1, 200)]
    [int] $CandidateTop = 20,

    [switch] $FingerprintOnly,

    [switch] $CachedDistractorsOnly
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = Split-Path -Parent $PSScriptRoot
$ModulePath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ModulePath)
$models = Join-Path $ModulePath 'models'
if (-not (Test-Path (Join-Path $models 'ResNet18.onnx'))) {
    throw "No model at '$models' (expected ResNet18.onnx there); run 'dotnet pwsh ./build.ps1' first."
}
$DocsPath = if ($DocsPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DocsPath) } else { Join-Path $RepoRoot 'docs/copy-detection.md' }

if (-not $ImageSource) {
    $ImageSource = '/usr/share/openclipart/png'
    if (-not (Test-Path $ImageSource)) {
        $isRoot = $IsLinux -and ((id -u) -eq '0')
        if (-not ($isRoot -and (Get-Command apt-get -ErrorAction Ignore))) {
            throw "No images at '$ImageSource': install Debian's openclipart-png (apt-get install openclipart-png) or pass -ImageSource."
        }
        Write-Host 'Installing openclipart-png...'
        & apt-get install -y openclipart-png | Out-Null
        if ($LASTEXITCODE -ne 0) {
            & apt-get update | Out-Null
            & apt-get install -y openclipart-png | Out-Null
        }
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $ImageSource)) { throw "Installing openclipart-png failed (exit code $LASTEXITCODE)." }
    }
}
$ImageSource = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ImageSource)

$appOut = Join-Path $RepoRoot 'out/bench/CopyCalibration'
Write-Host '-- Building bench/CopyCalibration'
dotnet build (Join-Path $PSScriptRoot 'CopyCalibration/CopyCalibration.csproj') -c Release -o $appOut --nologo --verbosity quiet -clp:ErrorsOnly
if ($LASTEXITCODE -ne 0) { throw "Building bench/CopyCalibration failed (exit code $LASTEXITCODE)." }

Write-Host "-- Calibrating: $QueryCount originals x 8 alterations among $DistractorCount distractors from $ImageSource"
$arguments = @(
    '--models', $models,
    '--source', $ImageSource,
    '--markdown', $DocsPath,
    '--queries', $QueryCount,
    '--distractors', $DistractorCount,
    '--min-query-side', $MinQuerySide,
    '--threads', $Threads,
    '--cache', (Join-Path $RepoRoot 'out/copy-calibration/fingerprints.cache')
)
if ($Verify) {
    $arguments += @('--verify', (Join-Path $RepoRoot 'out/copy-calibration/verification.md'), '--hard-per-query', $HardPerQuery,
        '--candidate-top', $CandidateTop, '--size-sweep', 10)
}
if ($ExtraDistractors) { $arguments += @('--extra-distractors', ($ExtraDistractors -join ',')) }
if ($FingerprintOnly) { $arguments += @('--fingerprint-only', 1) }
if ($CachedDistractorsOnly) { $arguments += @('--cached-distractors-only', 1) }
# The app prints the report on stdout and its progress on stderr.
dotnet (Join-Path $appOut 'CopyCalibration.dll') @arguments
if ($LASTEXITCODE -ne 0) { throw "bench/CopyCalibration failed (exit code $LASTEXITCODE)." }
Write-Host "Figures written to $DocsPath."
