#Requires -Version 7.6
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
    Install  builds and copies the module into the first folder of PSModulePath (or -Destination),
           as OptOut/<version>, so `Import-Module OptOut` works in any pwsh session; prints where.
    Package  builds and writes out/packages/<runtime>/OptOut.<version>.nupkg, a package that
           Install-PSResource and Install-Module take from a local repository, with the native
           libraries of one platform (-Runtime, default this machine's), and prints what each part weighs.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Install', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Install: the modules folder to install into (default: the first folder of PSModulePath).
    [string] $Destination,

    # Package: the platform whose native libraries the package carries (default: this machine's).
    [ValidateSet('linux-x64', 'linux-arm64', 'osx-arm64', 'win-x64', 'win-arm64')]
    [string] $Runtime,

    # Install, Package: take the module already laid out in out/OptOut instead of building it.
    [switch] $NoBuild
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

# Debian packages the module and its tests need beside NuGet's: installed when missing and the build
# runs as root with apt-get (a fresh machine or CI), else a warning says what will not work.
function Install-DebianPackage([string] $Package, [scriptblock] $IsPresent, [string] $NeededFor) {
    if (-not $IsLinux -or (& $IsPresent)) { return }
    if ((id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Warning "$Package is missing and cannot be installed here (needs root and apt-get): $NeededFor. Install it: apt-get install -y --no-install-recommends $Package"
        return
    }
    Write-Host "Installing $Package ($NeededFor)"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y -qq --no-install-recommends $Package *> $null
    if ($LASTEXITCODE -ne 0) {
        # A fresh machine has no package lists yet.
        & apt-get update -qq *> $null
        & apt-get install -y -qq --no-install-recommends $Package *> $null
    }
    if ($LASTEXITCODE -ne 0) { Write-Warning "Installing $Package failed (exit code $LASTEXITCODE): $NeededFor." }
}

# OpenCV's native library (libOpenCvSharpExtern.so from OpenCvSharp4.official.runtime.linux-x64) links
# against GTK 3 for its unused window functions; without libgtk-3.so.0 it does not load.
function Install-NativePrerequisites {
    Install-DebianPackage 'libgtk-3-0' {
        $ldconfig = Get-Command ldconfig, /sbin/ldconfig -ErrorAction Ignore | Select-Object -First 1
        $ldconfig -and ((& $ldconfig -p) -match 'libgtk-3\.so\.0')
    } 'OpenCV (geometric verification of copies) loads only with it'
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
    # The SQL an organisation runs to create the PostgreSQL registry's roles (docs/registry.md).
    Copy-Item (Join-Path $Root 'src/OptOut/sql') $ModuleOut -Recurse

    $modelSource = Join-Path (Get-NuGetPackageRoot) "$($ModelPackage.Id)/$($ModelPackage.Version)/tools/DnnImageModels"
    $models = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'models') -Force
    Copy-Item (Join-Path $modelSource 'ResNet18Onnx/ResNet18.onnx') $models
    Copy-Item (Join-Path $modelSource 'ResNetPrepOnnx/ResNetPreprocess.onnx') $models

    # Help is MAML generated from src/OptOut/help/*.psd1 and the cmdlets' own metadata, in a child
    # process so this session never loads the module it is building.
    Invoke-Native 'Generating help' {
        dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'src/OptOut/help/New-MamlHelp.ps1') -ModulePath $ModuleOut -HelpData (Join-Path $Root 'src/OptOut/help/OptOut.help.psd1') -RelatedLinksData (Join-Path $Root 'src/OptOut/help/RelatedLinks.psd1') -OutputPath (Join-Path $ModuleOut 'en-US/OptOut.dll-Help.xml')
    }
    Copy-Item (Join-Path $Root 'src/OptOut/help/about_OptOut.help.txt') (Join-Path $ModuleOut 'en-US')
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
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

# An independent reader from npm that the engine tests compare with (package-lock.json pins it).
function Install-NpmTestReader([string] $Folder) {
    if (Test-Path (Join-Path $Folder 'node_modules')) { return }
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) {
        Write-Warning "npm is missing: the tests that compare with $Folder's reader are skipped."
        return
    }
    Push-Location $Folder
    try { npm ci --no-audit --no-fund --silent *> $null } finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { Write-Warning "npm ci in $Folder failed (exit $LASTEXITCODE); the tests that need it are skipped." }
}

function Invoke-Test {
    Invoke-Build
    Write-Host '== Test' -ForegroundColor Cyan
    Install-DebianPackage 'libimage-exiftool-perl' { [bool](Get-Command exiftool -CommandType Application -ErrorAction Ignore) } 'the tests read reservations back with exiftool, and skip without it'
    Install-DebianPackage 'imagemagick' { Test-Path /usr/bin/convert-im6.q16 } 'the tests decode marked files with ImageMagick too, and skip that without it'
    Install-DebianPackage 'postgresql' { [bool](Get-ChildItem /usr/lib/postgresql/*/bin/pg_ctl -ErrorAction Ignore) } 'the PostgreSQL registry tests start a private server, and skip without it'
    Install-DebianPackage 'chromium' { Test-Path /usr/bin/chromium } 'the match report is tested in headless Chromium, and those tests skip without it'
    Install-NpmTestReader (Join-Path $Root 'tests/interop/robots')
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
    # bench/CopyCalibration draws its originals from openclipart and its 10,000+ distractors from these icon themes too.
    Install-DebianPackage 'openclipart-png' { Test-Path /usr/share/openclipart/png } 'bench/CopyCalibration takes its originals and distractors from it'
    foreach ($theme in @(
            @{ Package = 'oxygen-icon-theme'; Folder = 'oxygen' }, @{ Package = 'gnome-icon-theme'; Folder = 'gnome' },
            @{ Package = 'mate-icon-theme'; Folder = 'mate' }, @{ Package = 'tango-icon-theme'; Folder = 'Tango' },
            @{ Package = 'adwaita-icon-theme'; Folder = 'Adwaita' }, @{ Package = 'lxde-icon-theme'; Folder = 'nuoveXT2' },
            @{ Package = 'elementary-xfce-icon-theme'; Folder = 'elementary-xfce' }, @{ Package = 'moka-icon-theme'; Folder = 'Moka' },
            @{ Package = 'gnome-icon-theme-yasis'; Folder = 'yasis' })) {
        $folder = "/usr/share/icons/$($theme.Folder)"
        Install-DebianPackage $theme.Package { Test-Path $folder } 'bench/CopyCalibration -ExtraDistractors: icon drawings as distractors'
    }
    dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Invoke-Benchmarks.ps1') -ModulePath $ModuleOut
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $Root 'OptOut.psd1')).ModuleVersion
}

function Invoke-Install {
    if (-not $NoBuild) { Invoke-Build }
    Write-Host '== Install' -ForegroundColor Cyan
    $modules = if ($Destination) { $Destination } else { @($env:PSModulePath -split [System.IO.Path]::PathSeparator | Where-Object { $_ })[0] }
    $target = Join-Path $modules "OptOut/$(Get-ModuleVersion)"
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $target -Force
    Copy-Item (Join-Path $ModuleOut '*') $target -Recurse
    Write-Host "OptOut $(Get-ModuleVersion) installed in $target; 'Import-Module OptOut' finds it through PSModulePath."
}

function Get-CurrentRuntime {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    "$os-$arch"
}

function Invoke-Package {
    if (-not $NoBuild) { Invoke-Build }
    Write-Host '== Package' -ForegroundColor Cyan
    $rid = if ($Runtime) { $Runtime } else { Get-CurrentRuntime }
    # One package a platform: every platform's natives together made a 117 MB package of which a
    # user needs one platform's part (figures: docs/packaging.md).
    $staging = Join-Path $Out "package-staging/OptOut"
    if (Test-Path (Split-Path $staging)) { Remove-Item (Split-Path $staging) -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $staging -Force
    Copy-Item (Join-Path $ModuleOut '*') $staging -Recurse
    Get-ChildItem (Join-Path $staging 'bin/runtimes') -Directory | Where-Object Name -ne $rid | Remove-Item -Recurse -Force
    if (-not (Test-Path (Join-Path $staging "bin/runtimes/$rid"))) { throw "No native libraries for $rid in the build." }

    $packages = Join-Path $Out "packages/$rid"
    $null = New-Item -ItemType Directory -Path $packages -Force
    Get-ChildItem $packages -Filter 'OptOut.*.nupkg' | Remove-Item -Force
    $repository = "OptOutBuild$([guid]::NewGuid().ToString('N'))"
    Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
    try { Publish-PSResource -Path $staging -Repository $repository -SkipDependenciesCheck }
    finally { Unregister-PSResourceRepository -Name $repository }
    $package = Get-ChildItem $packages -Filter 'OptOut.*.nupkg' | Select-Object -First 1
    if (-not $package) { throw "Publish-PSResource wrote no package into $packages." }

    $parts = [ordered]@{
        model            = Get-ChildItem (Join-Path $staging 'models') -Recurse -File
        "natives ($rid)" = Get-ChildItem (Join-Path $staging 'bin/runtimes') -Recurse -File
        assemblies       = Get-ChildItem (Join-Path $staging 'bin') -File
        'help, manifest' = Get-ChildItem $staging -Recurse -File | Where-Object { $_.FullName -notlike "*$([IO.Path]::DirectorySeparatorChar)bin$([IO.Path]::DirectorySeparatorChar)*" -and $_.FullName -notlike "*$([IO.Path]::DirectorySeparatorChar)models$([IO.Path]::DirectorySeparatorChar)*" }
    }
    foreach ($part in $parts.GetEnumerator()) {
        Write-Host ('   {0,-20} {1,8:N1} MB unpacked' -f $part.Key, (($part.Value | Measure-Object Length -Sum).Sum / 1MB))
    }
    Write-Host ('{0} ({1:N1} MB) written; install it with: Register-PSResourceRepository -Name local -Uri {2} -Trusted; Install-PSResource OptOut -Repository local' -f $package.FullName, ($package.Length / 1MB), $packages)
}

Push-Location $Root
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build' { Invoke-Build }
            'Test' { Invoke-Test }
            'Demo' { Invoke-Demo }
            'Bench' { Invoke-Bench }
            'Install' { Invoke-Install }
            'Package' { Invoke-Package }
        }
    }
}
finally { Pop-Location }
