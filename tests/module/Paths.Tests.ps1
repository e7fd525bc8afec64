# A path or wildcard that names no file is an error, never silence: an artist who mistypes a folder
# must not read "nothing found" as "my work is in no training set".
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -Force -ErrorAction Stop
    $art = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'art') -Force
    $null = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $art.FullName -Count 1
    $missingFolder = Join-Path $TestDrive 'no-such-folder/*.png'
    $noMatch = Join-Path $art.FullName '*.webp'
    $index = Join-Path $TestDrive 'index.db'
    $null = Import-TrainingSet -LiteralPath $art.FullName -Name mine -IndexPath $index
}

Describe 'Paths that name no file' {
    It '<Command> reports a wildcard under a missing folder as OptOut.FileNotFound' -ForEach @(
        @{ Command = 'Get-ImageFingerprint'; Extra = @{} }
        @{ Command = 'Find-TrainedImage'; Extra = @{ IndexPath = 'INDEX' } }
        @{ Command = 'Add-OptOut'; Extra = @{ RegistryPath = 'REGISTRY'; Claimant = 'me' } }
    ) {
        $arguments = @{}
        foreach ($key in $Extra.Keys) { $arguments[$key] = $Extra[$key] -replace '^INDEX$', $index -replace '^REGISTRY$', (Join-Path $TestDrive 'registry.db') }
        $output = & $Command -Path $missingFolder @arguments -ErrorVariable problems -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
        $problems[0].Exception.Message | Should -BeLike '*no-such-folder*'
    }

    It '<Command> reports a wildcard that matches nothing in an existing folder' -ForEach @(
        @{ Command = 'Get-ImageFingerprint' }
    ) {
        $output = & $Command -Path $noMatch -ErrorVariable problems -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
    }

    It 'still takes the files a wildcard does match, and reports the one that matches nothing' {
        $output = Get-ImageFingerprint -Path (Join-Path $art.FullName '*.png'), $noMatch -ErrorVariable problems -ErrorAction SilentlyContinue
        @($output).Count | Should -Be 1
        $problems.Count | Should -Be 1
    }
}
