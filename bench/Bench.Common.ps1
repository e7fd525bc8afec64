# Helpers shared by the benchmarks under bench/ (dot-sourced by Invoke-Benchmarks.ps1).

function Invoke-BenchNative {
    # Runs a native command, failing the benchmark when it exits non-zero.
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function New-BenchWorkFolder {
    # A fresh folder of that name under the temporary folder, emptied of an earlier run's files;
    # -OpenToOtherUsers lets a private PostgreSQL server (another user) read the files put there.
    param([string] $Name, [switch] $OpenToOtherUsers)
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) $Name
    if (Test-Path $folder) { Remove-Item $folder -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $folder
    if ($OpenToOtherUsers) { & chmod 755 $folder }
    $folder
}

function Get-BenchMedian {
    param([double[]] $Values)
    if (-not $Values -or $Values.Count -eq 0) { return [double]::NaN }
    $sorted = [double[]]($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2 -eq 1) { return $sorted[$middle] }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

function Get-BenchPercentile {
    # Nearest-rank percentile (p in 0..100).
    param([double[]] $Values, [double] $Percent)
    if (-not $Values -or $Values.Count -eq 0) { return [double]::NaN }
    $sorted = [double[]]($Values | Sort-Object)
    $rank = [int][Math]::Ceiling($Percent / 100 * $sorted.Count)
    $sorted[[Math]::Min($sorted.Count, [Math]::Max(1, $rank)) - 1]
}

function Format-BenchNumber {
    param([double] $Value, [int] $Decimals = 1)
    if ([double]::IsNaN($Value)) { return 'n/a' }
    $Value.ToString("F$Decimals", [Globalization.CultureInfo]::InvariantCulture)
}

function Format-BenchBytes {
    param([double] $Bytes)
    if ($Bytes -ge 1MB) { return '{0} MiB' -f (Format-BenchNumber ($Bytes / 1MB) 1) }
    if ($Bytes -ge 1KB) { return '{0} KiB' -f (Format-BenchNumber ($Bytes / 1KB) 1) }
    '{0} B' -f [long]$Bytes
}

function Get-BenchLoadAverage {
    # 1-minute load average (Linux); shows how busy a shared machine was around a run.
    if (Test-Path '/proc/loadavg') { return [double]((Get-Content '/proc/loadavg' -Raw).Split(' ')[0]) }
    [double]::NaN
}

function Get-BenchMachine {
    # What the figures were measured on.
    $cpu = 'unknown'
    if (Test-Path '/proc/cpuinfo') {
        $line = Get-Content '/proc/cpuinfo' | Where-Object { $_ -match '^model name\s*:' } | Select-Object -First 1
        if ($line) { $cpu = ($line -replace '^model name\s*:\s*', '').Trim() }
    }
    $memory = 'unknown'
    if (Test-Path '/proc/meminfo') {
        $total = Get-Content '/proc/meminfo' | Where-Object { $_ -match '^MemTotal:' } | Select-Object -First 1
        if ($total -match '(\d+)\s*kB') { $memory = '{0} GiB' -f (Format-BenchNumber ([double]$Matches[1] / 1MB) 1) }
    }
    $cores = [Environment]::ProcessorCount
    if (Get-Command nproc -ErrorAction Ignore) { $cores = [int](nproc) }
    [pscustomobject]@{
        Cores      = $cores
        Cpu        = $cpu
        Memory     = $memory
        Os         = [Runtime.InteropServices.RuntimeInformation]::OSDescription.Trim()
        Dotnet     = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        PowerShell = $PSVersionTable.PSVersion.ToString()
    }
}

function Set-BenchDocSection {
    # Writes $Markdown between <!-- bench:NAME --> and <!-- /bench:NAME --> in $Path, replacing
    # what a previous run wrote there; appends the section when the markers are absent.
    param([string] $Path, [string] $Name, [string] $Markdown, [string] $Header)
    $begin = "<!-- bench:$Name -->"
    $end = "<!-- /bench:$Name -->"
    $section = "$begin`n$($Markdown.Trim())`n$end"
    $directory = Split-Path -Parent $Path
    if ($directory -and -not (Test-Path $directory)) { $null = New-Item -ItemType Directory -Path $directory -Force }
    $text = if (Test-Path $Path) { (Get-Content -Raw $Path) -replace "`r`n", "`n" } else { "$($Header.Trim())`n" }
    $pattern = [regex]::Escape($begin) + '.*?' + [regex]::Escape($end)
    if ([regex]::IsMatch($text, $pattern, 'Singleline')) {
        $text = [regex]::Replace($text, $pattern, { param($m) $section }, 'Singleline')
    }
    else {
        $text = $text.TrimEnd() + "`n`n$section`n"
    }
    [IO.File]::WriteAllText($Path, $text.TrimEnd() + "`n", [Text.UTF8Encoding]::new($false))
}

function Get-BenchCpuSample {
    # Linux: CPU ticks of the whole machine (busy and in all) and of this process plus its waited-for
    # children. Two samples give the share of the CPU that processes other than the benchmark took in
    # between (Get-BenchOtherCpuShare): the noise on a shared machine.
    if (-not (Test-Path '/proc/stat') -or -not (Test-Path '/proc/self/stat')) { return $null }
    $cpu = [long[]]((Get-Content '/proc/stat' -TotalCount 1) -split '\s+' | Select-Object -Skip 1 -First 8)
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait
    $total = ($cpu | Measure-Object -Sum).Sum
    $busy = $total - $cpu[3] - $cpu[4]
    $self = Get-Content '/proc/self/stat' -Raw
    $fields = $self.Substring($self.LastIndexOf(')') + 2) -split ' '
    # fields[11..14]: utime stime cutime cstime
    $ours = [long]$fields[11] + [long]$fields[12] + [long]$fields[13] + [long]$fields[14]
    [pscustomobject]@{ Total = [long]$total; Busy = [long]$busy; Ours = $ours }
}

function Get-BenchOtherCpuShare {
    # Share (0..1) of the machine's CPU that other processes used between two Get-BenchCpuSample samples.
    param($Before, $After)
    if (-not $Before -or -not $After) { return [double]::NaN }
    $total = $After.Total - $Before.Total
    if ($total -le 0) { return [double]::NaN }
    $others = ($After.Busy - $Before.Busy) - ($After.Ours - $Before.Ours)
    [Math]::Min(1.0, [Math]::Max(0.0, [double]$others / $total))
}
