#Requires -Version 7.6
<#
.SYNOPSIS
    One end-to-end measurement of Get-ImageFingerprint, run by Fingerprint.Bench.ps1 in a fresh
    process so that every repetition pays (and reports) the module's start-up cost the same way.
.DESCRIPTION
    Imports the module, fingerprints one file twice over (the first call loads the model: the
    difference between the two calls is the first-call overhead), warms up on a few more files, then
    times `Get-ChildItem <folder> -File | Get-ImageFingerprint` over the whole folder. Unless
    -SkipEngine, it also times the engine's FingerprintPipeline driven directly (no cmdlet, no
    parameter binding, no output objects) on the same files. Writes a JSON result to -ResultPath.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Folder,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $WarmupCount = 4,
    [switch] $SkipEngine
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$files = @(Get-ChildItem -LiteralPath $Folder -File | Sort-Object Name)
if ($files.Count -lt 2) { throw "Need at least two images in '$Folder'." }

$clock = [Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importSeconds = $clock.Elapsed.TotalSeconds

# First call: model load (ONNX sessions, SHA-256 of the model file, a test run) + JIT + one image.
$clock.Restart()
$null = Get-ImageFingerprint -LiteralPath $files[0].FullName
$firstCallSeconds = $clock.Elapsed.TotalSeconds
# Second call: the same image with the model cached.
$clock.Restart()
$null = Get-ImageFingerprint -LiteralPath $files[0].FullName
$secondCallSeconds = $clock.Elapsed.TotalSeconds
# Warm-up over a few different files (decoders, resampler, pipeline paths).
$null = $files | Select-Object -Skip 1 -First $WarmupCount | Get-ImageFingerprint

# The measurement.
$failures = $null
$clock.Restart()
$fingerprints = Get-ChildItem -LiteralPath $Folder -File | Get-ImageFingerprint -ErrorAction SilentlyContinue -ErrorVariable failures
$endToEndSeconds = $clock.Elapsed.TotalSeconds
$fingerprints = @($fingerprints)
$failureCount = if ($failures) { @($failures).Count } else { 0 }

$engine = $null
if (-not $SkipEngine) {
    try {
        # The engine lives in the module's private AssemblyLoadContext, so its types are reached
        # through the cmdlet's assembly rather than by name.
        $context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command Get-ImageFingerprint).ImplementingType.Assembly)
        $core = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'OptOut.Core' } | Select-Object -First 1
        $spec = $core.GetType('OptOut.Core.Embedding.EmbeddingModelSpec', $true)::Default((Join-Path $ModulePath 'models'))
        # The instance the cmdlet uses (same cache key: spec and core count).
        $model = $core.GetType('OptOut.Core.Embedding.EmbeddingModelCache', $true)::Get($spec, [Environment]::ProcessorCount)
        $limits = $core.GetType('OptOut.Core.Imaging.ImageLimits', $true)::Default
        $fingerprinter = $core.GetType('OptOut.Core.Fingerprinting.Fingerprinter', $true)::new($model, $limits)
        $pipelineType = $core.GetType('OptOut.Core.Fingerprinting.FingerprintPipeline', $true)
        [string[]] $paths = $files.FullName

        $clock.Restart()
        $pipeline = $pipelineType::new($fingerprinter, 0, $null, [Threading.CancellationToken]::None)
        try {
            foreach ($path in $paths) { $pipeline.Submit($path) }
            $succeeded = 0
            foreach ($outcome in $pipeline.CompleteAndDrain()) { if ($outcome.Succeeded) { $succeeded++ } }
        }
        finally { $pipeline.Dispose() }
        $engineSeconds = $clock.Elapsed.TotalSeconds
        $engine = [ordered]@{ seconds = $engineSeconds; images = $paths.Count; succeeded = $succeeded; imagesPerSecond = $paths.Count / $engineSeconds }
    }
    catch {
        # The engine's API is not the module's contract; a change there must not break the benchmark.
        $engine = [ordered]@{ error = "$_" }
    }
}

[ordered]@{
    processorCount    = [Environment]::ProcessorCount
    importSeconds     = $importSeconds
    firstCallSeconds  = $firstCallSeconds
    secondCallSeconds = $secondCallSeconds
    modelLoadSeconds  = $firstCallSeconds - $secondCallSeconds
    endToEnd          = [ordered]@{
        seconds         = $endToEndSeconds
        images          = $files.Count
        succeeded       = $fingerprints.Count
        failed          = $failureCount
        firstError      = if ($failureCount) { "$(@($failures)[0])" } else { $null }
        imagesPerSecond = $files.Count / $endToEndSeconds
    }
    engine            = $engine
    model             = if ($fingerprints.Count) { $fingerprints[0].Model } else { $null }
    widths            = @($fingerprints.Width)
    heights           = @($fingerprints.Height)
} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
