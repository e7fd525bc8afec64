#Requires -Version 7.6
<#
.SYNOPSIS
    One measurement of the dataset gate, run by Gate.Bench.ps1 in a fresh process so that its peak
    memory (VmHWM) belongs to that one job.
.DESCRIPTION
    -Mode Probe   imports the module and reports which of Test-TrainingSet / Export-CleanTrainingSet it has.
    -Mode Test    times `Test-TrainingSet -Path <data> -RegistryPath <registry> -ThrottleLimit N`, the
                  violations counted by Rule in a process block (no Group-Object, no collection).
    -Mode TestQuiet  the same with -Quiet (no violation objects; one Boolean): the CI gate's form.
    -Mode Export  times `Export-CleanTrainingSet -Path <data> -Destination <folder> -RegistryPath <registry>`
                  and reports its summary object.
    Writes a JSON result to -ResultPath: the cmdlet's wall and CPU seconds (measured in this process,
    module import excluded and reported apart), the counts, and this process's peak resident memory;
    for Test, also the time the counting block alone takes for as many objects (consumerSeconds).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [ValidateSet('Probe', 'Test', 'TestQuiet', 'Export')] [string] $Mode,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Path,
    [string] $RegistryPath,
    [string] $Destination,
    [int] $ThrottleLimit = 0
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'

function Get-PeakMemory {
    # VmHWM and VmRSS of this process in MiB (Linux); the peak working set elsewhere.
    $result = [ordered]@{}
    if (Test-Path '/proc/self/status') {
        foreach ($line in Get-Content '/proc/self/status') {
            if ($line -match '^(VmHWM|VmRSS):\s+(\d+)\s+kB') { $result["$($Matches[1])_MiB"] = [Math]::Round([double]$Matches[2] / 1024, 1) }
        }
    }
    $result['PeakWorkingSet_MiB'] = [Math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 1)
    $result['ManagedHeap_MiB'] = [Math]::Round([GC]::GetTotalMemory($false) / 1MB, 1)
    $result
}

function Get-CpuSeconds { [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds }

function Get-GcSample {
    # Collections by generation, time paused for GC, bytes allocated (all threads): the garbage
    # collector's share of a run.
    [ordered]@{
        gen0 = [GC]::CollectionCount(0); gen1 = [GC]::CollectionCount(1); gen2 = [GC]::CollectionCount(2)
        pauseSeconds = [GC]::GetTotalPauseDuration().TotalSeconds
        allocatedMiB = [GC]::GetTotalAllocatedBytes($false) / 1MB
        concurrent = [Runtime.GCSettings]::LatencyMode.ToString()
    }
}

function Get-GcDelta($Before) {
    $after = Get-GcSample
    [ordered]@{
        gen0 = $after.gen0 - $Before.gen0; gen1 = $after.gen1 - $Before.gen1; gen2 = $after.gen2 - $Before.gen2
        pauseSeconds = [Math]::Round($after.pauseSeconds - $Before.pauseSeconds, 3)
        allocatedMiB = [Math]::Round($after.allocatedMiB - $Before.allocatedMiB, 0)
        latencyMode = $after.concurrent
    }
}

$clock = [Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importSeconds = $clock.Elapsed.TotalSeconds
$memoryAfterImport = Get-PeakMemory

$result = [ordered]@{ mode = $Mode; importSeconds = $importSeconds; memoryAfterImport = $memoryAfterImport }

switch ($Mode) {
    'Probe' {
        $result.commands = @(Get-Command -Module OptOut -Name Test-TrainingSet, Export-CleanTrainingSet -ErrorAction Ignore | ForEach-Object Name)
        $result.parameters = [ordered]@{}
        foreach ($name in $result.commands) { $result.parameters[$name] = @((Get-Command $name).Parameters.Keys) }
    }
    'Test' {
        $counts = @{}
        $failures = $null
        $arguments = @{ Path = $Path; RegistryPath = $RegistryPath; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures' }
        if ($ThrottleLimit -gt 0) { $arguments.ThrottleLimit = $ThrottleLimit }
        $gc = Get-GcSample
        $cpu = Get-CpuSeconds
        $clock.Restart()
        Test-TrainingSet @arguments | & { process { $counts[[string]$_.Rule] = 1 + [long]$counts[[string]$_.Rule] } }
        $seconds = $clock.Elapsed.TotalSeconds
        $result.sinceProcessStart = ([datetime]::Now - [Diagnostics.Process]::GetCurrentProcess().StartTime).TotalSeconds
        $result.seconds = $seconds
        $result.cpuSeconds = (Get-CpuSeconds) - $cpu
        $result.gc = Get-GcDelta $gc
        $result.violations = $counts
        $result.errors = @($failures | Where-Object { $_ } | ForEach-Object { "$_" })
    }
    'TestQuiet' {
        # The CI gate's form: the same check, no violation objects, one Boolean.
        $failures = $null
        $arguments = @{ Path = $Path; RegistryPath = $RegistryPath; Quiet = $true; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures' }
        if ($ThrottleLimit -gt 0) { $arguments.ThrottleLimit = $ThrottleLimit }
        $gc = Get-GcSample
        $cpu = Get-CpuSeconds
        $clock.Restart()
        $answer = @(Test-TrainingSet @arguments)
        $result.seconds = $clock.Elapsed.TotalSeconds
        $result.cpuSeconds = (Get-CpuSeconds) - $cpu
        $result.gc = Get-GcDelta $gc
        $result.answer = $answer
        $result.errors = @($failures | Where-Object { $_ } | ForEach-Object { "$_" })
    }
    'Export' {
        $failures = $null
        $arguments = @{ Path = $Path; Destination = $Destination; RegistryPath = $RegistryPath; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'failures' }
        if (Test-Path -LiteralPath $Destination) { $arguments.Force = $true }
        $gc = Get-GcSample
        $cpu = Get-CpuSeconds
        $clock.Restart()
        $summary = @(Export-CleanTrainingSet @arguments)
        $seconds = $clock.Elapsed.TotalSeconds
        $result.sinceProcessStart = ([datetime]::Now - [Diagnostics.Process]::GetCurrentProcess().StartTime).TotalSeconds
        $result.seconds = $seconds
        $result.cpuSeconds = (Get-CpuSeconds) - $cpu
        $result.gc = Get-GcDelta $gc
        # The summary object's scalar properties (Rows, Kept, Removed, ...), whatever else it carries.
        $last = $summary | Select-Object -Last 1
        $result.summary = [ordered]@{}
        if ($last) {
            foreach ($p in $last.PSObject.Properties) {
                $v = $p.Value
                if ($null -eq $v -or $v -is [ValueType] -or $v -is [string]) { $result.summary[$p.Name] = $v }
                else { $result.summary[$p.Name] = "$v" }
            }
        }
        $result.outputs = $summary.Count
        $result.errors = @($failures | Where-Object { $_ } | ForEach-Object { "$_" })
    }
}
$result.memory = Get-PeakMemory

if ($Mode -eq 'Test') {
    # What the counting pipeline itself costs per violation object (after the memory figure, which
    # these objects would otherwise raise): as many objects as the cmdlet wrote, piped through the
    # same process block. Part of the cmdlet's measured time is this consumer, not the check.
    $total = 0; foreach ($k in $counts.Keys) { $total += $counts[$k] }
    if ($total -gt 0) {
        $items = [Collections.Generic.List[object]]::new($total)
        for ($i = 0; $i -lt $total; $i++) { $items.Add([pscustomobject]@{ Rule = 'Url' }) }
        $sink = @{}
        $clock.Restart()
        $items | & { process { $sink[[string]$_.Rule] = 1 + [long]$sink[[string]$_.Rule] } }
        $result.consumerSeconds = $clock.Elapsed.TotalSeconds
        $items = $null
    }
}
$result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
