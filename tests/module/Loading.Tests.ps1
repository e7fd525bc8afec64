# Loading the module, each case in a fresh 'dotnet pwsh' child process so no earlier import hides a
# problem: natives from the module's runtimes/, another Microsoft.Data.Sqlite already in the session,
# Import-Module -Force, auto-loading, ForEach-Object -Parallel and Start-ThreadJob.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    # Images the children fingerprint (committed fixtures: no generator needed).
    $images = @('base.png', 'progressive.jpg', 'lossy.webp') | ForEach-Object { Join-Path $FixturePath $_ }
    $imageList = ($images | ForEach-Object { "'$($_ -replace "'", "''")'" }) -join ', '
}

Describe 'Import-Module in a clean session' {
    BeforeAll {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$environment = Get-OptOutEnvironment
`$natives = @()
if (Test-Path /proc/self/maps) {
    `$natives = @(Get-Content /proc/self/maps | ForEach-Object { (`$_ -split '\s+', 6)[5] } |
        Where-Object { `$_ -match '/(lib)?(e_sqlite3|onnxruntime)\.(so|dylib|dll)$' } | Sort-Object -Unique)
}
`$fp = Get-ImageFingerprint -LiteralPath $imageList
Write-Result @{
    SqliteVersion = `$environment.SqliteVersion
    OnnxRuntimeVersion = `$environment.OnnxRuntimeVersion
    OpenCvVersion = `$environment.OpenCvVersion
    OpenCvCodePaths = `$environment.OpenCvCodePaths
    LoadContext = `$environment.LoadContext
    ModelDirectory = `$environment.ModelDirectory
    Natives = `$natives
    Hashes = @(`$fp.PerceptualHash)
}
"@
    }

    It 'imports and runs Get-OptOutEnvironment' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.LoadContext | Should -BeLike 'OptOut:*'
        $result.ModelDirectory | Should -Be (Join-Path $ModulePath 'models')
    }

    It 'reports the SQLite version' {
        $result.SqliteVersion | Should -Match '^3\.\d+\.\d+$'
    }

    It 'reports ONNX Runtime 1.31.x' {
        $result.OnnxRuntimeVersion | Should -Match '^1\.31\.\d+$'
    }

    It 'reports OpenCV 4.13 and the code paths it chose for this machine' {
        $result.OpenCvVersion | Should -Match '^4\.13\.'
        # Measured at load unless $env:OPTOUT_OPENCV_OPTIMIZED fixes it.
        $result.OpenCvCodePaths | Should -Match '^(optimised|plain) \(measured: [\d.]+ ms optimised, [\d.]+ ms plain\)$'
    }

    It 'takes OpenCV''s code paths from $env:OPTOUT_OPENCV_OPTIMIZED when it is set' {
        $saved = $env:OPTOUT_OPENCV_OPTIMIZED
        try {
            $env:OPTOUT_OPENCV_OPTIMIZED = 'off'
            $fixed = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
Write-Result @{ CodePaths = (Get-OptOutEnvironment).OpenCvCodePaths }
"@
        }
        finally { $env:OPTOUT_OPENCV_OPTIMIZED = $saved }
        $fixed.CodePaths | Should -Be 'plain (set by OPTOUT_OPENCV_OPTIMIZED)'
    }

    It 'loads e_sqlite3 and onnxruntime from the module''s runtimes/ folder' -Skip:(-not $IsLinux) {
        $runtimes = Join-Path $ModulePath 'bin/runtimes/'
        $result.Natives | Should -Not -BeNullOrEmpty
        @($result.Natives | Where-Object { $_ -match 'e_sqlite3' }).Count | Should -Be 1
        @($result.Natives | Where-Object { $_ -match 'libonnxruntime\.so' }).Count | Should -Be 1
        foreach ($native in $result.Natives) { $native | Should -BeLike "$runtimes*" }
    }

    It 'fingerprints images' {
        $result.Hashes.Count | Should -Be 3
        foreach ($hash in $result.Hashes) { $hash | Should -MatchExactly '^[0-9a-f]{16}$' }
    }
}

Describe 'Another Microsoft.Data.Sqlite already in the session' {
    BeforeAll {
        $olderSqlite = Join-Path (Get-NuGetPackageRoot) 'microsoft.data.sqlite.core/8.0.34/lib/net8.0/Microsoft.Data.Sqlite.dll'
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Add-Type -Path '$olderSqlite'
`$before = [Microsoft.Data.Sqlite.SqliteConnection].Assembly.GetName().Version.ToString()
Import-Module `$ModulePath
`$environment = Get-OptOutEnvironment
`$fp = Get-ImageFingerprint -LiteralPath $imageList
`$loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.Sqlite' } |
    ForEach-Object { @{ Version = `$_.GetName().Version.ToString(); Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } })
Write-Result @{
    Before = `$before
    After = [Microsoft.Data.Sqlite.SqliteConnection].Assembly.GetName().Version.ToString()
    SqliteVersion = `$environment.SqliteVersion
    OnnxRuntimeVersion = `$environment.OnnxRuntimeVersion
    Loaded = `$loaded
    Count = @(`$fp).Count
}
"@
    }

    It 'has the 8.0.34 package restored by the build' {
        $olderSqlite | Should -Exist
    }

    It 'imports the module and reports the SQLite and ONNX Runtime versions' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.SqliteVersion | Should -Match '^3\.\d+\.\d+$'
        $result.OnnxRuntimeVersion | Should -Match '^1\.31\.\d+$'
        $result.Count | Should -Be 3
    }

    It 'leaves the session''s own Microsoft.Data.Sqlite at version 8.0' {
        $result.Before | Should -BeLike '8.0.*'
        $result.After | Should -BeLike '8.0.*'
    }

    It 'keeps the module''s own, newer Microsoft.Data.Sqlite in its private load context' {
        $mine = @($result.Loaded | Where-Object Context -Like 'OptOut:*')
        $mine.Count | Should -Be 1
        [version] $mine[0].Version | Should -BeGreaterThan ([version] '9.0')
        @($result.Loaded | Where-Object Version -Like '8.0.*').Count | Should -Be 1
    }
}

Describe 'Import-Module -Force and Remove-Module' {
    BeforeAll {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$first = @(Get-ImageFingerprint -LiteralPath $imageList).PerceptualHash
Import-Module `$ModulePath -Force
`$commands = @(Get-Command -Module OptOut -CommandType Cmdlet).Name
`$found = @(Get-Command ((Import-PowerShellDataFile (Join-Path `$ModulePath 'OptOut.psd1')).CmdletsToExport) -ErrorAction SilentlyContinue).Name
`$second = @(Get-ImageFingerprint -LiteralPath $imageList).PerceptualHash
`$onnx = (Get-OptOutEnvironment).OnnxRuntimeVersion
Remove-Module OptOut
`$afterRemove = @(Get-Module OptOut).Count
Import-Module `$ModulePath
`$third = @(Get-ImageFingerprint -LiteralPath $imageList).PerceptualHash
Write-Result @{ First = `$first; Commands = `$commands; Found = `$found; Second = `$second; Onnx = `$onnx; AfterRemove = `$afterRemove; Third = `$third }
"@
    }

    It 'finds the cmdlets after -Force' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        # Every cmdlet the manifest declares, no more and no fewer.
        $declared = (Import-PowerShellDataFile (Join-Path $ModulePath 'OptOut.psd1')).CmdletsToExport | Sort-Object
        ($result.Commands | Sort-Object) | Should -Be $declared
        ($result.Found | Sort-Object) | Should -Be $declared
    }

    It 'runs Get-ImageFingerprint after -Force with the same results' {
        $result.First.Count | Should -Be 3
        $result.Second | Should -Be $result.First
        $result.Onnx | Should -Match '^1\.31\.'
    }

    It 'imports again after Remove-Module' {
        $result.AfterRemove | Should -Be 0
        $result.Third | Should -Be $result.First
    }
}

Describe 'Auto-loading from PSModulePath' {
    BeforeAll {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
`$env:PSModulePath = (Split-Path `$ModulePath -Parent) + [IO.Path]::PathSeparator + `$env:PSModulePath
`$before = @(Get-Module OptOut).Count
`$environment = Get-OptOutEnvironment
Write-Result @{ Before = `$before; Onnx = `$environment.OnnxRuntimeVersion; Base = (Get-Module OptOut).ModuleBase }
"@
    }

    It 'loads the module on first use of a cmdlet' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Before | Should -Be 0
        $result.Onnx | Should -Match '^1\.31\.'
        $result.Base | Should -Be $ModulePath
    }
}

Describe 'Runspaces' {
    It 'works inside ForEach-Object -Parallel, with the same fingerprints as the main runspace and its model description' {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$images = @($imageList)
`$main = @(Get-ImageFingerprint -LiteralPath `$images -IncludeEmbedding)
# A model description made here must be usable in the other runspaces (same types there).
`$spec = New-EmbeddingModel -Path (Join-Path `$ModulePath 'models/ResNet18.onnx') -Name CrossRunspace -Normalization ImageNet
`$parallel = @(0..5 | ForEach-Object -ThrottleLimit 3 -Parallel {
    Import-Module `$using:ModulePath
    `$fp = Get-ImageFingerprint -LiteralPath (`$using:images)[`$_ % 3] -IncludeEmbedding
    `$withSpec = Get-ImageFingerprint -LiteralPath (`$using:images)[`$_ % 3] -Model `$using:spec
    @{ Index = `$_; Runspace = [runspace]::DefaultRunspace.InstanceId.ToString(); Path = `$fp.Path; Sha256 = `$fp.Sha256; PerceptualHash = `$fp.PerceptualHash; Model = `$fp.Model; Embedding = `$fp.Embedding; SpecModel = `$withSpec.Model }
})
`$main = @(`$main | ForEach-Object { @{ Path = `$_.Path; Sha256 = `$_.Sha256; PerceptualHash = `$_.PerceptualHash; Model = `$_.Model; Embedding = `$_.Embedding } })
Write-Result @{ Main = `$main; Parallel = `$parallel; MainRunspace = [runspace]::DefaultRunspace.InstanceId.ToString() }
"@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Parallel.Count | Should -Be 6
        $result.Parallel.Runspace | Should -Not -Contain $result.MainRunspace
        foreach ($p in $result.Parallel) {
            $m = $result.Main[$p.Index % 3]
            $p.Path | Should -Be $m.Path
            $p.Sha256 | Should -BeExactly $m.Sha256
            $p.PerceptualHash | Should -BeExactly $m.PerceptualHash
            $p.Model | Should -BeExactly $m.Model
            Get-Cosine ([float[]] $p.Embedding) ([float[]] $m.Embedding) | Should -BeGreaterThan 0.99999
            $p.SpecModel | Should -BeLike 'CrossRunspace@sha256:*'
        }
    }

    It 'works inside Start-ThreadJob, with the same fingerprints as the main runspace' {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
if (-not (Get-Command Start-ThreadJob -ErrorAction SilentlyContinue)) { Write-Result @{ Available = `$false }; return }
`$images = @($imageList)
`$job = Start-ThreadJob -ArgumentList `$ModulePath, `$images -ScriptBlock {
    param(`$ModulePath, `$Images)
    Import-Module `$ModulePath
    Get-ImageFingerprint -LiteralPath `$Images | ForEach-Object { `$_.Path + '|' + `$_.Sha256 + '|' + `$_.PerceptualHash }
}
`$fromJob = @(`$job | Receive-Job -Wait -AutoRemoveJob)
Import-Module `$ModulePath
`$main = @(Get-ImageFingerprint -LiteralPath `$images | ForEach-Object { `$_.Path + '|' + `$_.Sha256 + '|' + `$_.PerceptualHash })
Write-Result @{ Available = `$true; FromJob = `$fromJob; Main = `$main }
"@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        if (-not $result.Available) { Set-ItResult -Skipped -Because 'Start-ThreadJob is not available in this PowerShell'; return }
        $result.FromJob.Count | Should -Be 3
        $result.FromJob | Should -Be $result.Main
    }
}
