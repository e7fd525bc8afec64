# Several writers at once: real child processes (dotnet pwsh) adding to one registry file, and
# parallel runspaces in one process. SQLite WAL with a busy timeout and retried transactions must
# take them all, with no "database is locked" failure, no lost and no doubled records.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    function Start-ChildPwsh([string] $Command) {
        # A child 'dotnet pwsh' with its own redirected streams, started in the repository root so the
        # tool manifest is found. Returns the process and the tasks reading its output.
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $start.WorkingDirectory = $RepoRoot
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        foreach ($a in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $Command) { $start.ArgumentList.Add($a) }
        $process = [System.Diagnostics.Process]::Start($start)
        [pscustomobject]@{ Process = $process; Stdout = $process.StandardOutput.ReadToEndAsync(); Stderr = $process.StandardError.ReadToEndAsync() }
    }
}

Describe 'Two processes adding 10,000 opt-outs each to a new registry at the same time' {
    BeforeAll {
        $registry = Join-Path $TestDrive 'shared/registry.db'
        $module = Join-Path $ModulePath 'OptOut.psd1'
        $children = foreach ($site in 'a', 'b') {
            Start-ChildPwsh ("`$ErrorActionPreference = 'Stop'; Import-Module '{0}'; 1..10000 | ForEach-Object {{ 'https://{1}.example/' + `$_ }} | Add-OptOut -RegistryPath '{2}' -Claimant 'writer {1}'; 'done {1}'" -f $module, $site, $registry)
        }
        $finished = foreach ($child in $children) { $child.Process.WaitForExit(240000) }
        $results = foreach ($child in $children) {
            if (-not $child.Process.HasExited) { $child.Process.Kill($true); $child.Process.WaitForExit() }
            [pscustomobject]@{ ExitCode = $child.Process.ExitCode; Stdout = $child.Stdout.Result; Stderr = $child.Stderr.Result }
        }
    }

    It 'both finish with exit code 0 and an empty error stream' {
        $finished | Should -Be @($true, $true)
        foreach ($r in $results) {
            $r.Stderr | Should -BeNullOrEmpty
            $r.ExitCode | Should -Be 0 -Because $r.Stdout
            $r.Stdout | Should -Not -Match 'database is locked'
        }
        $results[0].Stdout | Should -Match 'done a'
        $results[1].Stdout | Should -Match 'done b'
    }

    It 'keeps all 20,000 records, each URL once' {
        $records = @(Get-OptOut -RegistryPath $registry)
        $records.Count | Should -Be 20000
        ($records.Target | Sort-Object -Unique).Count | Should -Be 20000
        @($records | Where-Object Claimant -EQ 'writer a').Count | Should -Be 10000
        @($records | Where-Object Claimant -EQ 'writer b').Count | Should -Be 10000
        ($records.Id | Sort-Object -Unique).Count | Should -Be 20000
    }

    It 'audits 20,000 additions and migrates the schema once' {
        $audit = @(Get-OptOutHistory -RegistryPath $registry)
        @($audit | Where-Object Action -EQ 'AddOptOut').Count | Should -Be 20000
        # One Migrate row per schema version (0 -> 1 -> 2 -> 3 -> 4), not one set per process.
        @($audit | Where-Object Action -EQ 'Migrate').Detail | Should -Be @('schema 0 -> 1', 'schema 1 -> 2', 'schema 2 -> 3', 'schema 3 -> 4')
        $audit.Count | Should -Be 20004
        $ids = [System.Collections.Generic.HashSet[string]]::new([string[]] @(Get-OptOut -RegistryPath $registry).Id)
        @($audit | Where-Object { $_.Action -eq 'AddOptOut' -and -not $ids.Contains($_.RecordId) }).Count | Should -Be 0
    }
}

Describe 'Parallel runspaces in one process' {
    It 'adds from four runspaces at once without losing or doubling a record' {
        $registry = Join-Path $TestDrive 'parallel.db'
        $module = Join-Path $ModulePath 'OptOut.psd1'
        $errors = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:module
            try {
                $n = $_
                # Every runspace also adds the same 100 shared URLs: each must be recorded once.
                @(1..500 | ForEach-Object { "https://r$n.example/$_" }) + @(1..100 | ForEach-Object { "https://shared.example/$_" }) |
                    Add-OptOut -RegistryPath $using:registry -ErrorAction Stop
            }
            catch { "$_" }
        }
        $errors | Should -BeNullOrEmpty
        @(Get-OptOut -RegistryPath $registry).Count | Should -Be 2100
        @(Get-OptOutHistory -RegistryPath $registry -Action AddOptOut).Count | Should -Be 2100
    }
}
