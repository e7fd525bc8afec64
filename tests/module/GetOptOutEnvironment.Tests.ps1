# Get-OptOutEnvironment in the test session: the data paths follow $env:OPTOUT_HOME, the model folder
# is the module's own, and the object is declared and flat.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
    $savedHome = $env:OPTOUT_HOME
}

AfterAll {
    $env:OPTOUT_HOME = $savedHome
}

Describe 'Get-OptOutEnvironment' {
    It 'writes one object of its declared output type' {
        $environment = @(Get-OptOutEnvironment)
        $environment.Count | Should -Be 1
        (Get-Command Get-OptOutEnvironment).OutputType.Name | Should -Contain $environment[0].GetType().FullName
    }

    It 'points ModelDirectory at the module''s models folder holding the bundled ResNet18' {
        $environment = Get-OptOutEnvironment
        $environment.ModelDirectory | Should -Be (Join-Path $ModulePath 'models')
        Join-Path $environment.ModelDirectory 'ResNet18.onnx' | Should -Exist
    }

    It 'uses ~/.optout when OPTOUT_HOME is not set' {
        $env:OPTOUT_HOME = $null
        $environment = Get-OptOutEnvironment
        $environment.Home | Should -Be (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.optout')
    }

    It 'follows $env:OPTOUT_HOME for Home, IndexPath and RegistryPath' {
        $env:OPTOUT_HOME = Join-Path $TestDrive 'optout-home'
        $environment = Get-OptOutEnvironment
        $environment.Home | Should -Be $env:OPTOUT_HOME
        $environment.IndexPath | Should -Be (Join-Path $env:OPTOUT_HOME 'index.db')
        $environment.RegistryPath | Should -Be (Join-Path $env:OPTOUT_HOME 'registry.db')
        $environment.TurnedViewCachePath | Should -Be (Join-Path $env:OPTOUT_HOME 'cache' 'turned-views.db')
    }

    It 'reports a full path for a relative $env:OPTOUT_HOME' {
        $env:OPTOUT_HOME = 'relative-home'
        $environment = Get-OptOutEnvironment
        [System.IO.Path]::IsPathRooted($environment.Home) | Should -BeTrue
        Split-Path -Leaf $environment.Home | Should -Be 'relative-home'
    }

    It 'survives ConvertTo-Json | ConvertFrom-Json' {
        $environment = Get-OptOutEnvironment
        $back = $environment | ConvertTo-Json | ConvertFrom-Json
        foreach ($property in $environment.PSObject.Properties.Name) {
            $back.$property | Should -Be $environment.$property -Because "property $property"
        }
    }
}
