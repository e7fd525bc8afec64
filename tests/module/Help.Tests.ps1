# Help for every exported cmdlet: a synopsis, a description, at least one example and a description
# for every parameter that is not a common parameter (the MAML in en-US/OptOut.dll-Help.xml).
param([string] $ModulePath)

BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
    $manifestPath = Join-Path ($(if ($ModulePath) { $ModulePath } else { Join-Path $root 'out/OptOut' })) 'OptOut.psd1'
    $cmdletNames = @((Import-PowerShellDataFile -LiteralPath $manifestPath).CmdletsToExport) | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    $module = Import-Module $ModulePath -PassThru -ErrorAction Stop
    $manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'OptOut.psd1')
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Exported commands' {
    It 'exports exactly the cmdlets the manifest lists' {
        $exported = @((Get-Command -Module OptOut -CommandType Cmdlet).Name | Sort-Object)
        $exported | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $exported.Count | Should -BeGreaterThan 0
    }
}

Describe 'The about_OptOut topic and the manifest' {
    It 'explains the index, the registry, the copy decision and the gate' {
        $about = Get-Help about_OptOut | Out-String
        foreach ($subject in 'index.db', 'registry.db', 'THE COPY DECISION', 'THE GATE', '-Confirm:$false') {
            $about | Should -BeLike "*$subject*"
        }
    }

    It 'ships its LICENSE, has release notes and no invented addresses' {
        Join-Path $ModulePath 'LICENSE' | Should -Exist
        Get-Content -Raw (Join-Path $ModulePath 'LICENSE') | Should -BeLike 'MIT License*'
        $data = $manifest.PrivateData.PSData
        $data.ReleaseNotes | Should -Not -BeNullOrEmpty
        $data.Keys | Should -Not -Contain 'LicenseUri'
        $data.Keys | Should -Not -Contain 'ProjectUri'
        $manifest.Keys | Should -Not -Contain 'HelpInfoUri'
    }
}

Describe 'Help for <Name>' -ForEach $cmdletNames {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name -Module OptOut
    }

    It 'has a synopsis (not the generated syntax line)' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$Name *"
        $synopsis | Should -Not -BeLike "*[[]-*"
    }

    It 'has a description' {
        $text = ($help.Description | ForEach-Object Text) -join "`n"
        $text.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least three examples with code (HelpExamples.Tests.ps1 runs them)' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($example in $examples) { "$($example.Code)".Trim() | Should -Not -BeNullOrEmpty }
    }

    It 'shows type names a person writes in SYNTAX (no Nullable`1, no CLR backtick names)' {
        $syntax = (Get-Help -Name $Name -Full | Out-String -Width 400) -split "`n" |
            Select-String -SimpleMatch "$Name " | ForEach-Object Line
        $syntax | Should -Not -BeNullOrEmpty
        ($syntax -join "`n") | Should -Not -MatchExactly '<[^>]*(`|Nullable|Int32|Int64|Boolean|String)[^>]*>'
    }

    It 'shows -WhatIf and -Confirm in SYNTAX exactly when the cmdlet supports them' {
        $supports = $command.Parameters.ContainsKey('WhatIf')
        $syntax = Get-Help -Name $Name -Full | Out-String -Width 400
        ($syntax -match '\[-WhatIf\]') | Should -Be $supports
        ($syntax -match '\[-Confirm\]') | Should -Be $supports
    }

    It 'lists at least two related links, each a command of the module or about_OptOut' {
        $links = @($help.relatedLinks.navigationLink.linkText)
        $links.Count | Should -BeGreaterOrEqual 2
        foreach ($link in $links) {
            ($link -eq 'about_OptOut' -or [bool](Get-Command -Name $link -Module OptOut -ErrorAction SilentlyContinue)) | Should -BeTrue -Because "'$link' must exist"
        }
    }

    It 'describes every parameter that is not a common parameter' {
        $parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common })
        $parameters.Count | Should -BeGreaterOrEqual 0
        $undescribed = foreach ($parameter in $parameters) {
            $entry = Get-Help -Name $Name -Parameter $parameter -ErrorAction SilentlyContinue
            $text = if ($entry) { ($entry.Description | ForEach-Object Text) -join "`n" } else { '' }
            if (-not "$text".Trim()) { $parameter }
        }
        $undescribed | Should -BeNullOrEmpty -Because "every parameter of $Name needs a description"
    }
}
