#Requires -Version 7.6
<#
.SYNOPSIS
    Runs the module tests (tests/module/*.Tests.ps1) against a built module with Pester 5.
.DESCRIPTION
    Imports Pester by full path, runs every *.Tests.ps1 beside this script as a Pester container that
    receives the module path (-Data @{ ModulePath = ... }), prints Pester's normal output, writes
    {"Passed":N,"Failed":N,"Skipped":N} to -SummaryPath and exits 1 when anything failed (a test, a
    BeforeAll/AfterAll block or a whole container), 0 otherwise. build.ps1's Test task calls it.
.EXAMPLE
    dotnet pwsh -NoProfile -NonInteractive -File tests/module/Invoke-ModuleTests.ps1 -ModulePath out/OptOut -PesterPath ~/.nuget/packages/pester/5.7.1/tools/Pester.psd1 -SummaryPath out/test-results/pester.json
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/module/Invoke-ModuleTests.ps1 -ModulePath out/OptOut -PesterPath ~/.nuget/packages/pester/5.7.1/tools/Pester.psd1 -TestName '*EXIF*' -Output Detailed
#>
[CmdletBinding()]
param(
    # The built module folder (out/OptOut).
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # Pester.psd1 of Pester 5.7.1, imported by full path.
    [Parameter(Mandatory)]
    [string] $PesterPath,

    # Where the JSON summary goes; its folder also receives pester.xml (NUnit).
    [string] $SummaryPath,

    # Runs only the test files whose names match (for example 'Errors*').
    [string[]] $File = @('*'),

    # Runs only the tests whose full names match (Pester's -FullName filter, wildcards allowed).
    [string[]] $TestName,

    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Write-Summary([int] $Passed, [int] $Failed, [int] $Skipped) {
    if (-not $SummaryPath) { return }
    $folder = Split-Path -Parent $SummaryPath
    if ($folder -and -not (Test-Path $folder)) { $null = New-Item -ItemType Directory -Path $folder -Force }
    [ordered]@{ Passed = $Passed; Failed = $Failed; Skipped = $Skipped } | ConvertTo-Json -Compress |
        Set-Content -LiteralPath $SummaryPath -Encoding utf8NoBOM
}

try {
    $ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
    $pester = Import-Module -Name (Resolve-Path -LiteralPath $PesterPath).ProviderPath -PassThru -Force
    if ($pester.Version -lt [version]'5.0') { throw "Pester $($pester.Version) was imported from '$PesterPath'; these tests need Pester 5." }

    # 'dotnet pwsh -File' passes 'A*,B*' as one string.
    $testFiles = foreach ($pattern in ($File -split ',')) {
        Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' -File | Where-Object Name -Like $pattern
    }
    $testFiles = @($testFiles | Sort-Object FullName -Unique)
    if ($testFiles.Count -eq 0) { throw "No test files matching '$($File -join "', '")' in '$PSScriptRoot'." }

    $configuration = New-PesterConfiguration
    # A file that takes -Backend (registry semantics) runs once per registry backend.
    $configuration.Run.Container = @($testFiles | ForEach-Object {
            $parameters = (Get-Command -Name $_.FullName).Parameters
            if ($parameters.ContainsKey('Backend')) {
                foreach ($backend in $parameters['Backend'].Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] }).ValidValues) {
                    New-PesterContainer -Path $_.FullName -Data @{ ModulePath = $ModulePath; Backend = $backend }
                }
            }
            else { New-PesterContainer -Path $_.FullName -Data @{ ModulePath = $ModulePath } }
        })
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    $configuration.Output.Verbosity = $Output
    if ($TestName) { $configuration.Filter.FullName = $TestName -split ',' }
    if ($SummaryPath) {
        $configuration.TestResult.Enabled = $true
        $configuration.TestResult.OutputFormat = 'NUnitXml'
        $configuration.TestResult.OutputPath = Join-Path (Split-Path -Parent ([System.IO.Path]::GetFullPath($SummaryPath))) 'pester.xml'
    }

    # The tests run with PowerShell's defaults, as when a user runs Invoke-Pester on one file: this
    # script's preferences would otherwise reach them.
    # The commands keep files under OPTOUT_HOME (the gate's turned-view cache; the default index and registry
    # when a test names none): the run gets a home of its own, never the user's. Tests about the default set it themselves.
    $savedHome = $env:OPTOUT_HOME
    $testHome = Join-Path ([System.IO.Path]::GetTempPath()) "optout-module-tests-$PID"
    $env:OPTOUT_HOME = $testHome
    $ErrorActionPreference = 'Continue'
    Set-StrictMode -Off
    try { $result = Invoke-Pester -Configuration $configuration }
    finally {
        $env:OPTOUT_HOME = $savedHome
        Remove-Item -LiteralPath $testHome -Recurse -Force -ErrorAction SilentlyContinue
    }
    $ErrorActionPreference = 'Stop'
}
catch {
    # Pester itself could not run: that is a failure too, and the summary must say so.
    Write-Host "ERROR: the module tests could not run: $_" -ForegroundColor Red
    Write-Summary -Passed 0 -Failed 1 -Skipped 0
    exit 1
}

# A failed BeforeAll/AfterAll (FailedBlocksCount) or a container that failed to load or discover
# (FailedContainersCount) counts as a failure on top of the tests it took down.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($failed -eq 0 -and $result.Result -ne 'Passed') { $failed = 1 }
Write-Summary -Passed $result.PassedCount -Failed $failed -Skipped $result.SkippedCount
Write-Host ("Module tests: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, $failed, $result.SkippedCount)
exit ([int]($failed -gt 0))
