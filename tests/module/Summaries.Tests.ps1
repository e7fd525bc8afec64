# What a person reads after a command: the closing summary on the information stream (shown like
# Write-Host, never in the pipeline) and the warnings that name surprises.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -Force -ErrorAction Stop
}

Describe 'Add-OptOut says what it recorded' {
    BeforeAll {
        $registry = Join-Path $TestDrive 'registry.db'
        $null = Add-OptOut -Url 'https://a.example/1.jpg' -Claimant 'Someone Else' -RegistryPath $registry
        $output = Add-OptOut -Url 'https://a.example/1.jpg', 'https://a.example/2.jpg' -Claimant 'Jane Doe' -RegistryPath $registry `
            -InformationVariable info -WarningVariable warnings -WarningAction SilentlyContinue -InformationAction SilentlyContinue
        $null = Add-OptOut -Domain 'b.example' -Claimant 'Jane Doe' -RegistryPath $registry -InformationVariable domainInfo -InformationAction SilentlyContinue
    }

    It 'counts new and already present claims by kind, outside the pipeline' {
        $output | Should -BeNullOrEmpty
        $summary = @($info | Where-Object { $_.Tags -contains 'OptOut.Summary' })
        $summary.Count | Should -Be 1
        "$($summary[0].MessageData)" | Should -BeLike 'Opt-out claims: 1 recorded (1 Url), 1 already present (1 Url); 1 of those are held by another claimant*'
        "$(@($domainInfo)[0].MessageData)" | Should -Be 'Opt-out claims: 1 recorded (1 Domain), 0 already present.'
    }

    It 'warns when the claim is already held by another claimant' {
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "*already refused by 'Someone Else'*no claim was added for 'Jane Doe'*"
    }
}

Describe 'Claimant names: wildcards, tab completion, and an error for a name nobody has' {
    BeforeAll {
        $registry = Join-Path $TestDrive 'claimants.db'
        $null = Add-OptOut -Url 'https://a.example/1.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -InformationAction Ignore
        $null = Add-OptOut -Url 'https://a.example/2.jpg' -Claimant 'Janet 50%_off' -RegistryPath $registry -InformationAction Ignore
        $null = Add-OptOut -Url 'https://a.example/3.jpg' -Claimant 'John Roe' -RegistryPath $registry -InformationAction Ignore
    }

    It 'takes * and ? in Get-OptOut -Claimant and Export-OptOutList -Claimant, and % and _ literally' {
        @(Get-OptOut -Claimant 'jan*' -RegistryPath $registry).Count | Should -Be 2
        @(Get-OptOut -Claimant 'J?hn*' -RegistryPath $registry).Claimant | Should -Be 'John Roe'
        @(Get-OptOut -Claimant 'Janet 50%_off' -RegistryPath $registry).Count | Should -Be 1
        @(Get-OptOut -Claimant 'Janet 5%' -RegistryPath $registry -ErrorAction SilentlyContinue).Count | Should -Be 0
        $csv = Join-Path $TestDrive 'jan.csv'
        Export-OptOutList $csv -Claimant 'Jan*' -RegistryPath $registry
        @(Import-Csv $csv).Count | Should -Be 2
    }

    It 'reports a claimant nobody has as OptOut.UnknownClaimant, listing who is there' {
        $records = Get-OptOut -Claimant 'Jane Do' -RegistryPath $registry -ErrorVariable problems -ErrorAction SilentlyContinue
        $records | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.UnknownClaimant*'
        $problems[0].Exception.Message | Should -BeLike "*'Jane Doe', 'Janet 50%_off', 'John Roe'*"
    }

    It 'completes claimant names from the registry the command names' {
        $line = "Get-OptOut -RegistryPath '$registry' -Claimant Ja"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Be @("'Jane Doe'", "'Janet 50%_off'")
    }
}

Describe 'A fresh registry''s audit log' {
    It 'orders its rows as their timestamps do: the migrations first and earlier, then the first claim' {
        $registry = Join-Path $TestDrive 'fresh-audit.db'
        $null = Add-OptOut -Url 'https://a.example/first.jpg' -RegistryPath $registry -InformationAction Ignore
        $history = @(Get-OptOutHistory -RegistryPath $registry)
        $history[-1].Action | Should -Be 'AddOptOut'
        for ($i = 1; $i -lt $history.Count; $i++) {
            $history[$i].At | Should -BeGreaterOrEqual $history[$i - 1].At -Because "row $($history[$i].Sequence) ($($history[$i].Action)) follows row $($history[$i - 1].Sequence)"
        }
    }
}

Describe 'Get-Content urls.txt | Add-OptOut' {
    It 'skips blank lines and # comments, as a URL list does' {
        $list = Join-Path $TestDrive 'urls.txt'
        Set-Content $list "# my works`nhttps://a.example/1.jpg`n`n   `nhttps://a.example/2.jpg`n"
        $registry = Join-Path $TestDrive 'urls.db'
        Get-Content $list | Add-OptOut -RegistryPath $registry -InformationAction Ignore -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems | Should -BeNullOrEmpty
        @(Get-OptOut -RegistryPath $registry).Target | Should -Be @('https://a.example/1.jpg', 'https://a.example/2.jpg')
    }
}

Describe 'Find-TrainedImage and Get-TrainingSet: dataset names and the artist''s summary' {
    BeforeAll {
        $index = Join-Path $TestDrive 'index.db'
        $set = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'scraped') -Strangers 6 -Works 1
        $null = Import-TrainingSet -LiteralPath $set.FullName -Name 'scraped-2026' -IndexPath $index
        $null = Import-TrainingSet -LiteralPath $set.FullName -Name 'scraped-2027' -IndexPath $index
        $art = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'art') -Force
        $works = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $art.FullName -Count 2
    }

    It 'reports an unknown -Dataset as OptOut.UnknownDataset listing the datasets there' {
        { Find-TrainedImage -Text 'jane' -Dataset 'scraped-2062' -IndexPath $index -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnknownDataset*'
        try { Find-TrainedImage -Text 'jane' -Dataset 'scraped-2062' -IndexPath $index -ErrorAction Stop } catch { $_.Exception.Message | Should -BeLike "*'scraped-2026', 'scraped-2027'*" }
        $null = Get-TrainingSet -Name 'scraped-2062' -IndexPath $index -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.UnknownDataset*'
    }

    It 'takes wildcards in -Dataset: one dataset or several' {
        $all = @(Find-TrainedImage -Domain 'uploads.artforum.example' -IndexPath $index)
        $all.Count | Should -BeGreaterThan 0
        @(Find-TrainedImage -Domain 'uploads.artforum.example' -Dataset 'scraped*' -IndexPath $index).Count | Should -Be $all.Count
        $one = @(Find-TrainedImage -Domain 'uploads.artforum.example' -Dataset '*2027' -IndexPath $index)
        $one.Count | Should -Be ($all.Count / 2)
        $one.Dataset | Sort-Object -Unique | Should -Be 'scraped-2027'
        @(Find-TrainedImage -Domain 'uploads.artforum.example' -Dataset 'scraped*' -Top 1 -IndexPath $index).Count | Should -Be 1
    }

    It 'completes dataset names' {
        $line = "Find-TrainedImage -IndexPath '$index' -Text x -Dataset scr"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('scraped-2026', 'scraped-2027')
    }

    It 'tells the artist how many works were searched, found where, and not found' {
        $stranger = Join-Path $TestDrive 'not-mine.png'
        $null = New-SolidPng -Path $stranger -Width 64 -Height 64 -R 10 -G 200 -B 30
        $null = Get-ChildItem $works[0], $stranger | Find-TrainedImage -IndexPath $index -InformationVariable info -InformationAction SilentlyContinue
        "$(@($info | Where-Object Tags -contains 'OptOut.Summary')[0].MessageData)" | Should -BeLike 'Searched 2 works: 1 found in 2 datasets (scraped-2026: * rows, scraped-2027: * rows), 1 not found.'
    }

    It 'shows text matches with their caption and a TextScore' {
        $text = Find-TrainedImage -Text '"jane doe"' -IndexPath $index | Select-Object -First 1 | Out-String -Width 120
        $text | Should -BeLike '*TextScore*Caption*'
        $text | Should -BeLike '*artwork 1 by jane doe*'
    }
}

Describe 'Objects piped into Find-TrainedImage' {
    BeforeAll {
        $index = Join-Path $TestDrive 'pipe-index.db'
        $set = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'pipe-set') -Strangers 6 -Works 1
        $null = Import-TrainingSet -LiteralPath $set.FullName -Name 'pipe-set' -IndexPath $index
        $registry = Join-Path $TestDrive 'pipe-registry.db'
        $url = @(Find-TrainedImage -Domain 'uploads.artforum.example' -IndexPath $index)[0].Url
        $null = Add-OptOut -Url $url -RegistryPath $registry -InformationAction Ignore
        $null = Add-OptOut -Domain 'cdn.stockpix.example' -RegistryPath $registry -InformationAction Ignore
    }

    It 'Get-OptOut | Find-TrainedImage searches each claim''s URL or domain' {
        $found = @(Get-OptOut -RegistryPath $registry | Find-TrainedImage -IndexPath $index -InformationAction Ignore)
        @($found | Where-Object MatchKind -eq 'Url').Url | Should -Be $url
        @($found | Where-Object MatchKind -eq 'Domain').Count | Should -BeGreaterThan 0
    }

    It 'Get-TrainingSet | Find-TrainedImage is refused with advice, not read as a path named after the type' {
        { Get-TrainingSet -IndexPath $index | Find-TrainedImage -IndexPath $index -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.NothingToSearchFor*'
    }
}
