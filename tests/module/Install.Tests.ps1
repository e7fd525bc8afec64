# build.ps1 Install and Package, tested end to end: the README's CI one-liner runs against an installed
# module found through PSModulePath, and the package installs from a local PSResourceGet repository.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    $builtModule = Join-Path $script:RepoRoot 'out/OptOut'
    $version = (Import-PowerShellDataFile (Join-Path $builtModule 'OptOut.psd1')).ModuleVersion

    function Invoke-BuildTask([string[]] $Arguments) {
        Push-Location $script:RepoRoot
        try { $output = & dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 @Arguments -NoBuild 2>&1 | ForEach-Object { "$_" } }
        finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output -join "`n"
    }

    # Runs a command in a fresh pwsh whose PSModulePath starts with $Modules, in $WorkPath, with its own OPTOUT_HOME.
    function Invoke-Runner([string] $Modules, [string] $WorkPath, [string] $Command) {
        $saved = $env:PSModulePath, $env:OPTOUT_HOME
        $env:PSModulePath = $Modules
        $env:OPTOUT_HOME = Join-Path $WorkPath 'home'
        Push-Location $script:RepoRoot
        try {
            $output = & dotnet pwsh -NoProfile -NonInteractive -Command "Set-Location '$WorkPath'; $Command" 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output -join "`n" }
        }
        finally {
            Pop-Location
            $env:PSModulePath, $env:OPTOUT_HOME = $saved
        }
    }
}

Describe 'build.ps1 Install' -Skip:($ModulePath -ne (Resolve-Path (Join-Path $PSScriptRoot '../../out/OptOut')).ProviderPath) {
    BeforeAll {
        $modules = Join-Path $TestDrive 'modules'
        $installOutput = Invoke-BuildTask @('-Task', 'Install', '-Destination', $modules)
        $work = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'runner') -Force
        $data = New-Item -ItemType Directory -Path (Join-Path $work 'data') -Force
        $null = New-SampleTrainingSet -ModulePath $ModulePath -Destination $data.FullName -Strangers 6 -Works 1
        # The README's one-liner, as a CI step runs it (dotnet pwsh: this machine has pwsh only through the tool manifest).
        $oneLiner = 'Import-Module OptOut; if (-not (Test-TrainingSet ./data -ReportPath junit.xml -Quiet)) { exit 1 }'
    }

    It 'copies the module into the modules folder as OptOut/<version> and says where' {
        Join-Path $modules "OptOut/$version/OptOut.psd1" | Should -Exist
        Join-Path $modules "OptOut/$version/bin/OptOut.dll" | Should -Exist
        $installOutput | Should -BeLike "*installed in*$version*"
    }

    It 'lets the README one-liner pass a set nobody refused' {
        $run = Invoke-Runner $modules $work.FullName $oneLiner
        $run.ExitCode | Should -Be 0 -Because $run.Output
        Join-Path $work 'junit.xml' | Should -Exist
    }

    It 'lets the README one-liner fail the job once a work in the set is refused' {
        $null = Invoke-Runner $modules $work.FullName "Import-Module OptOut; Add-OptOut -Domain uploads.artforum.example -Claimant 'CI test'"
        $run = Invoke-Runner $modules $work.FullName $oneLiner
        $run.ExitCode | Should -Be 1 -Because $run.Output
        ([xml](Get-Content -Raw (Join-Path $work 'junit.xml'))).testsuites.failures | Should -BeGreaterThan 0
    }
}

Describe 'build.ps1 Package' -Skip:($ModulePath -ne (Resolve-Path (Join-Path $PSScriptRoot '../../out/OptOut')).ProviderPath) {
    BeforeAll {
        $packageOutput = Invoke-BuildTask @('-Task', 'Package', '-Runtime', 'linux-x64')
        $packages = Join-Path $script:RepoRoot 'out/packages/linux-x64'
        $repository = "OptOutTest$([guid]::NewGuid().ToString('N'))"
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        $saved = Join-Path $TestDrive 'saved'
        $null = New-Item -ItemType Directory -Path $saved
        Save-PSResource -Name OptOut -Repository $repository -Path $saved -TrustRepository
    }
    AfterAll { Unregister-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue }

    It 'writes a nupkg that PSResourceGet installs from a local repository' {
        Join-Path $packages "OptOut.$version.nupkg" | Should -Exist
        Join-Path $saved "OptOut/$version/OptOut.psd1" | Should -Exist
        $packageOutput | Should -BeLike '*MB unpacked*'
    }

    It 'carries one platform''s native libraries, and the model' {
        @(Get-ChildItem (Join-Path $saved "OptOut/$version/bin/runtimes") -Directory).Name | Should -Be @('linux-x64')
        Join-Path $saved "OptOut/$version/models/ResNet18.onnx" | Should -Exist
    }

    It 'imports and runs from where it was installed' -Skip:(-not $IsLinux) {
        $run = Invoke-Runner $saved $TestDrive "Import-Module OptOut; (Get-Command -Module OptOut).Count; (Get-OptOutEnvironment).OnnxRuntimeVersion"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match '^\d+'
    }
}
