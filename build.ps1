#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the OptOut module.
.DESCRIPTION
    Build  (default) lays out out/OptOut: manifest, psm1, format file, help, bin/ (runtimes pruned
           to the supported platforms) and models/ (the pretrained ResNet18 from NuGet).
    Test   builds, runs the engine tests (xunit) and the module tests (Pester 5.7.1), prints one
           line "N passed, N failed" and exits non-zero on any failure.
    Demo   builds and runs the main job on the bundled sample (see README.md).
    Bench  builds and runs the benchmarks under bench/, writing their figures into docs/.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'OptOut'
# Platforms whose native libraries (ONNX Runtime, SQLite) ship with the module. OpenCV's native library is
# served for linux-x64 only (OpenCvSharp4.official.runtime.linux-x64; no Windows or macOS runtime on the
# registry this project builds from): elsewhere geometric verification is unavailable.
$SupportedRuntimes = @('linux-x64', 'linux-arm64', 'osx-arm64', 'win-x64', 'win-arm64')
$ModelPackage = @{ Id = 'microsoft.ml.dnnimagefeaturizer.resnet18'; Version = '0.23.1' }
$PesterVersion = '5.7.1'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Get-NuGetPackageRoot {
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

# OpenCV's native library (libOpenCvSharpExtern.so from OpenCvSharp4.official.runtime.linux-x64) links
# against GTK 3 for its unused window functions; without libgtk-3.so.0 the library does not load and
# geometric verification fails with a DllNotFoundException. Debian's libgtk-3-0 provides it.
function Install-NativePrerequisites {
    if (-not $IsLinux) { return }
    $ldconfig = Get-Command ldconfig -ErrorAction Ignore
    if (-not $ldconfig) { $ldconfig = Get-Command /sbin/ldconfig -ErrorAction Ignore }
    if ($ldconfig -and ((& $ldconfig -p) -match 'libgtk-3\.so\.0')) { return }
    $isRoot = (id -u) -eq '0'
    if (-not ($isRoot -and (Get-Command apt-get -ErrorAction Ignore))) {
        Write-Warning ("libgtk-3.so.0 is missing: OpenCV (geometric verification of copies) will not load. " +
            "Install it as root: apt-get install -y --no-install-recommends libgtk-3-0")
        return
    }
    Write-Host 'Installing libgtk-3-0 (needed by OpenCV''s native library)...'
    & apt-get install -y --no-install-recommends libgtk-3-0 | Out-Null
    if ($LASTEXITCODE -ne 0) {
        # A fresh machine has no package lists yet.
        & apt-get update | Out-Null
        & apt-get install -y --no-install-recommends libgtk-3-0 | Out-Null
    }
    if ($LASTEXITCODE -ne 0) {
        Write-Warning "Installing libgtk-3-0 failed (exit code $LASTEXITCODE): OpenCV (geometric verification of copies) will not load."
    }
}

$script:Built = $false
function Invoke-Build {
    if ($script:Built) { return }
    $script:Built = $true
    Write-Host '== Build' -ForegroundColor Cyan
    Install-NativePrerequisites
    # Brings the pretrained model and Pester into the NuGet cache (the project is never compiled).
    Invoke-Native 'Restoring external packages' { dotnet restore (Join-Path $Root 'src/ExternalPackages/ExternalPackages.csproj') --verbosity quiet }

    $publish = Join-Path $Out 'publish'
    if (Test-Path $publish) { Remove-Item $publish -Recurse -Force }
    # Portable publish (no runtime identifier): every platform's natives under runtimes/, resolved
    # at load time through OptOut.deps.json by the loader's AssemblyDependencyResolver.
    Invoke-Native 'Publishing OptOut' { dotnet publish (Join-Path $Root 'src/OptOut/OptOut.csproj') -c $Configuration -o $publish --nologo --verbosity quiet }
    Invoke-Native 'Publishing OptOut.Loader' { dotnet publish (Join-Path $Root 'src/OptOut.Loader/OptOut.Loader.csproj') -c $Configuration -o (Join-Path $publish 'loader') --nologo --verbosity quiet }

    if ($IsLinux -and -not (Test-Path (Join-Path $publish 'runtimes/linux-x64/native/libOpenCvSharpExtern.so'))) {
        throw 'runtimes/linux-x64/native/libOpenCvSharpExtern.so is missing from the publish output (OpenCvSharp4.official.runtime.linux-x64).'
    }
    if (Test-Path (Join-Path $publish 'System.Management.Automation.dll')) {
        throw 'System.Management.Automation.dll reached the output; PowerShellStandard.Library must stay compile-only.'
    }

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $bin = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'bin') -Force
    Get-ChildItem $publish -Exclude 'loader', 'runtimes' | Copy-Item -Destination $bin -Recurse
    Copy-Item (Join-Path $publish 'loader/OptOut.Loader.dll') $bin
    foreach ($runtime in $SupportedRuntimes) {
        $source = Join-Path $publish "runtimes/$runtime"
        if (Test-Path $source) {
            $target = New-Item -ItemType Directory -Path (Join-Path $bin "runtimes/$runtime") -Force
            Copy-Item "$source/*" $target -Recurse
        }
    }

    Copy-Item (Join-Path $Root 'OptOut.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'src/OptOut/OptOut.psm1') $ModuleOut
    Copy-Item (Join-Path $Root 'src/OptOut/OptOut.Format.ps1xml') $ModuleOut

    $modelSource = Join-Path (Get-NuGetPackageRoot) "$($ModelPackage.Id)/$($ModelPackage.Version)/tools/DnnImageModels"
    $models = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'models') -Force
    Copy-Item (Join-Path $modelSource 'ResNet18Onnx/ResNet18.onnx') $models
    Copy-Item (Join-Path $modelSource 'ResNetPrepOnnx/ResNetPreprocess.onnx') $models

    # Help is MAML generated from src/OptOut/help/*.psd1 and the cmdlets' own metadata, in a child
    # process so this session never loads the module it is building.
    Invoke-Native 'Generating help' {
        dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'src/OptOut/help/New-MamlHelp.ps1') -ModulePath $ModuleOut -HelpData (Join-Path $Root 'src/OptOut/help/OptOut.help.psd1') -OutputPath (Join-Path $ModuleOut 'en-US/OptOut.dll-Help.xml')
    }
    # The sample-art generator used by the demo and the tests (not part of the module).
    Invoke-Native 'Building OptOut.Samples' { dotnet build (Join-Path $Root 'src/OptOut.Samples/OptOut.Samples.csproj') -c $Configuration -o (Join-Path $Out 'samples') --nologo --verbosity quiet -clp:ErrorsOnly }
    Write-Host "Module laid out in $ModuleOut"
}

function Read-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    # xunit's skipped tests are counted in total but neither executed nor notExecuted.
    $skipped = [int]$counters.total - [int]$counters.executed
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted; Skipped = $skipped }
}

function Invoke-Test {
    Invoke-Build
    Write-Host '== Test' -ForegroundColor Cyan
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $results

    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $broken = @()

    Write-Host '-- Engine tests (xunit)'
    dotnet test (Join-Path $Root 'tests/OptOut.Core.Tests/OptOut.Core.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=engine.trx' --logger 'console;verbosity=minimal' --results-directory $results
    $engineExit = $LASTEXITCODE
    $trx = Join-Path $results 'engine.trx'
    if (Test-Path $trx) {
        $counts = Read-TrxCounts $trx
        $totals.Passed += $counts.Passed; $totals.Failed += $counts.Failed; $totals.Skipped += $counts.Skipped
        if ($engineExit -ne 0 -and $counts.Failed -eq 0) { $broken += "engine tests exited $engineExit" }
    }
    else { $broken += "engine tests produced no results (exit $engineExit)" }

    Write-Host '-- Module tests (Pester)'
    $pesterSummary = Join-Path $results 'pester.json'
    dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/module/Invoke-ModuleTests.ps1') `
        -ModulePath $ModuleOut -PesterPath (Join-Path (Get-NuGetPackageRoot) "pester/$PesterVersion/tools/Pester.psd1") -SummaryPath $pesterSummary
    $moduleExit = $LASTEXITCODE
    if (Test-Path $pesterSummary) {
        $counts = Get-Content -Raw $pesterSummary | ConvertFrom-Json
        $totals.Passed += $counts.Passed; $totals.Failed += $counts.Failed; $totals.Skipped += $counts.Skipped
        if ($moduleExit -ne 0 -and $counts.Failed -eq 0) { $broken += "module tests exited $moduleExit" }
    }
    else { $broken += "module tests produced no results (exit $moduleExit)" }

    foreach ($problem in $broken) { Write-Host "ERROR: $problem" -ForegroundColor Red }
    $failed = $totals.Failed + $broken.Count
    # The one line CI reads.
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f $totals.Passed, $failed, $totals.Skipped)
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Write-Host '== Demo' -ForegroundColor Cyan
    dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'src/OptOut.Samples/Demo.ps1') -ModulePath $ModuleOut -WorkPath (Join-Path $Out 'demo')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    Write-Host '== Bench' -ForegroundColor Cyan
    dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmarks.ps1') -ModulePath $ModuleOut
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

Push-Location $Root
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Demo' { Invoke-Demo }
            'Bench' { Invoke-Bench }
        }
    }
}
finally { Pop-Location }
