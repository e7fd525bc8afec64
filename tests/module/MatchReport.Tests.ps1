# Export-MatchReport and Import-MatchReview on real Find-TrainedImage and Test-TrainingSet output: an
# index of the sample img2dataset shard and of the artist's own files as an image folder, a registry
# file in the test drive, and the report's own HTML read back (its match cards carry the fields the
# page's "Export decisions" button writes). The page itself is tested in Chromium by the engine tests
# (tests/OptOut.Core.Tests/Reports/ReportBrowserTests.cs).
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
    $savedHome = $env:OPTOUT_HOME
    $env:OPTOUT_HOME = Join-Path $TestDrive 'home'

    $sample = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'sample')
    $artist = Join-Path $TestDrive 'artist'
    $null = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $artist -Count 4
    # A fifth work that is in no dataset: it must be counted and listed as not found.
    Copy-Item (Join-Path $script:FixturePath 'base.png') (Join-Path $artist 'unpublished.png')
    $portfolio = Join-Path $TestDrive 'portfolio'
    $null = New-Item -ItemType Directory $portfolio
    Get-ChildItem $artist -File | Where-Object Name -In 'artwork-01.png', 'artwork-02.png' | Copy-Item -Destination $portfolio
    $index = Join-Path $TestDrive 'index.db'
    $registry = Join-Path $TestDrive 'registry.db'
    $null = Import-TrainingSet -Path $sample.FullName -IndexPath $index
    $null = Import-TrainingSet -Path $portfolio -IndexPath $index
    $works = @(Get-ChildItem $artist -File | Sort-Object Name)
    $found = @($works | Find-TrainedImage -IndexPath $index)

    function Read-Cards([string] $Html) {
        # Each match of each group's data block, with its group's query: what the page's export writes for it.
        [regex]::Matches($Html, '<script type="application/json" class="group-data">(.*?)</script>', 'Singleline') | ForEach-Object {
            $group = $_.Groups[1].Value | ConvertFrom-Json
            foreach ($m in $group.matches) {
                $m | Add-Member query $group.query -PassThru | Add-Member querySha256 $group.querySha256 -PassThru
            }
        }
    }
}

AfterAll {
    $env:OPTOUT_HOME = $savedHome
}

Describe 'Export-MatchReport' {
    BeforeAll {
        $report = Join-Path $TestDrive 'report.html'
        $info = $null
        $file = $works + $found | Export-MatchReport $report -IndexPath $index -Claimant 'Jane Doe' -PassThru -InformationVariable info
        $html = Get-Content -Raw $report
        $cards = @(Read-Cards $html)
    }

    It 'writes one report with a card for every match, grouped by work, in order' {
        $file.FullName | Should -Be $report
        $found.Count | Should -BeGreaterThan 10
        $cards.Count | Should -Be $found.Count
        $expected = $found | Group-Object Query | ForEach-Object { $_.Group } | ForEach-Object { "$($_.Dataset)/$($_.Key)" }
        $cards | ForEach-Object { "$($_.dataset)/$($_.key)" } | Should -Be $expected
        ([regex]::Matches($html, '<section class="group"')).Count | Should -Be @($found.Query | Sort-Object -Unique).Count
    }

    It 'shows the training set''s own pictures and draws the verifier''s evidence of real Find-TrainedImage output' {
        # The image-folder dataset (portfolio) and the img2dataset files shard both have local pictures.
        $withImage = @($found | Where-Object Image)
        @($withImage | Where-Object Dataset -eq 'portfolio').Count | Should -Be 2
        $verified = @($found | Where-Object { $_.Verification.IsVerified })
        $verified.Count | Should -BeGreaterThan 5
        @($cards | Where-Object { -not $_.pic }).Count | Should -Be ($found.Count - $withImage.Count)
        # Each work once at the head of its group (and in its data block, for its verified copies); each row's own picture.
        ([regex]::Matches($html, '<img src="data:image/jpeg;base64,')).Count | Should -Be @($found.Query | Sort-Object -Unique).Count
        @($cards | Where-Object { $_.pic.src -like 'data:image/jpeg;base64,*' }).Count | Should -Be $withImage.Count
        $regions = @($found | Where-Object Verification | ForEach-Object { $_.Verification.QueryRegion, $_.Verification.CandidateRegion } | Where-Object { -not $_.IsEmpty })
        @($cards | ForEach-Object { if ($_.v.q) { 1 }; if ($_.v.c) { 1 } }).Count | Should -Be $regions.Count
        $byKey = @{}
        $cards | ForEach-Object { $byKey["$($_.dataset)/$($_.key)"] = $_ }
        foreach ($m in $verified) {
            $r = $m.Verification.CandidateRegion
            $card = $byKey["$($m.Dataset)/$($m.Key)"]
            $card.v.c | Should -Be @($r.X, $r.Y, $r.Width, $r.Height)
            $card.v.text | Should -Match '^Verified copy \('
        }
        @($cards | Where-Object { $_.pic.problem }).Count | Should -Be 0
    }

    It 'counts the works not found in the datasets of the index' {
        $notFound = @($works | Where-Object FullName -NotIn $found.Query)
        $notFound.Name | Should -Be 'unpublished.png'
        $html | Should -Match ('<p class="headline" id="headline">1 of 5 works not found in 2 datasets</p>')
        "$info" | Should -Match '^1 of 5 works not found in 2 datasets; '
        $html | Should -Match ([regex]::Escape("<li>$($notFound.FullName)</li>"))
    }

    It 'names the claimant, the index and its model for print' {
        $model = (Get-TrainingSet -IndexPath $index | Select-Object -First 1).Model
        $html | Should -Match '<dt>Claimant</dt><dd>Jane Doe</dd>'
        $html | Should -Match ([regex]::Escape("<dt>Index</dt><dd>$index</dd>"))
        $html | Should -Match ([regex]::Escape("<dt>Model</dt><dd>$model</dd>"))
        $html | Should -Match "default-src 'none'"
    }

    It 'lists Test-TrainingSet findings piped with the matches' {
        $null = $found | Where-Object Url -Like 'http*' | Select-Object -First 3 | Add-OptOut -Claimant 'Jane Doe' -RegistryPath $registry -InformationAction Ignore
        $violations = @(Test-TrainingSet $sample.FullName -RegistryPath $registry)
        $violations.Count | Should -BeGreaterThan 0
        $gate = Join-Path $TestDrive 'gate.html'
        $violations + $found | Export-MatchReport $gate -IndexPath $index -InformationAction Ignore
        ([regex]::Matches((Get-Content -Raw $gate), '<tr class="violation">')).Count | Should -Be $violations.Count
    }

    It 'refuses what it cannot show, and writes the rest' {
        $other = Join-Path $TestDrive 'other.html'
        $errors = $null
        'a string', $found[0] | Export-MatchReport $other -ErrorVariable errors -ErrorAction SilentlyContinue -InformationAction Ignore
        $errors.FullyQualifiedErrorId | Should -Be 'OptOut.UnsupportedReportInput,OptOut.Commands.ExportMatchReportCommand'
        @(Read-Cards (Get-Content -Raw $other)).Count | Should -Be 1
    }

    It 'never writes over the index, a work, or an existing file with -NoClobber; -WhatIf writes nothing' {
        $before = (Get-FileHash $index).Hash
        { $found | Export-MatchReport $index -IndexPath $index -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath,OptOut.Commands.ExportMatchReportCommand'
        (Get-FileHash $index).Hash | Should -Be $before
        { $found | Export-MatchReport $works[0].FullName -IndexPath $index -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath,OptOut.Commands.ExportMatchReportCommand'
        { $found | Export-MatchReport $report -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.FileExists,OptOut.Commands.ExportMatchReportCommand'
        $whatIf = Join-Path $TestDrive 'whatif.html'
        $found | Export-MatchReport $whatIf -WhatIf
        Test-Path $whatIf | Should -BeFalse
    }

    It 'puts thumbnails in a folder beside the report with -Thumbnails Folder, and never replaces files it did not write there' {
        $folderReport = Join-Path $TestDrive 'folder report.html'
        $null = New-Item -ItemType Directory (Join-Path $TestDrive 'folder report_files')
        $found | Export-MatchReport $folderReport -Thumbnails Folder -InformationAction Ignore
        $thumbs = @(Get-ChildItem (Join-Path $TestDrive 'folder report_files') -Filter 't*.jpg')
        # The works' own pictures, plus the training set's own images where rows have them.
        $thumbs.Count | Should -Be (@($found.Query | Sort-Object -Unique).Count + @($found | Where-Object Image | ForEach-Object { "$($_.Image)" } | Sort-Object -Unique).Count)
        (Get-Content -Raw $folderReport) | Should -Match 'src="folder%20report_files/t000001\.jpg"'
        Set-Content (Join-Path $TestDrive 'folder report_files/notes.txt') 'mine'
        { $found | Export-MatchReport $folderReport -Thumbnails Folder -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath,OptOut.Commands.ExportMatchReportCommand'
        Get-Content (Join-Path $TestDrive 'folder report_files/notes.txt') | Should -Be 'mine'
    }
}

Describe 'Import-MatchReview into Add-OptOut' {
    BeforeAll {
        $report = Join-Path $TestDrive 'review.html'
        $found | Export-MatchReport $report -IndexPath $index -InformationAction Ignore
        # Rows with a web address (an image folder's rows carry their file path, which is no URL to claim).
        $cards = @(Read-Cards (Get-Content -Raw $report) | Where-Object url -Like 'http*')
        # The decisions as the page exports them (report.js builds the same object from the same data).
        $mine = $cards[0..2]
        $decisions = @(
            foreach ($c in $cards[0..3]) {
                [ordered]@{
                    id = $c.id; decision = if ($c -in $mine) { 'mine' } else { 'not-mine' }
                    query = $c.query; querySha256 = $c.querySha256; dataset = $c.dataset; key = $c.key; url = $c.url; caption = $c.caption
                    width = [int] $c.width; height = [int] $c.height; matchKind = $c.matchKind; similarity = [double] $c.similarity; hashDistance = [int] $c.hashDistance; sha256 = $c.sha256
                }
            })
        $json = Join-Path $TestDrive 'decisions.json'
        [ordered]@{ format = 'optout-match-review'; version = 1; title = 't'; claimant = 'Jane Doe'; exported = '2026-01-01T00:00:00Z'; decisions = $decisions } |
            ConvertTo-Json -Depth 4 | Set-Content $json
        $csv = Join-Path $TestDrive 'decisions.csv'
        $decisions | ForEach-Object { [pscustomobject] $_ } | Export-Csv $csv -NoTypeInformation
        $reviewRegistry = Join-Path $TestDrive 'review-registry.db'
    }

    It 'writes the matches marked mine as Find-TrainedImage matches, from JSON and CSV alike' {
        foreach ($file in $json, $csv) {
            $read = @(Import-MatchReview $file)
            $read.Count | Should -Be 3
            $read[0] | Should -BeOfType ([OptOut.TrainedImageMatch])
            $read.Url | Should -Be $mine.url
            $original = $found | Where-Object { $_.Dataset -eq $read[0].Dataset -and $_.Key -eq $read[0].Key }
            $read[0].Query, $read[0].QuerySha256, $read[0].MatchKind, $read[0].Similarity, $read[0].HashDistance |
                Should -Be $original.Query, $original.QuerySha256, $original.MatchKind, $original.Similarity, $original.HashDistance
            @(Import-MatchReview $file -Decision NotMine).Count | Should -Be 1
        }
    }

    It 'opts out exactly the reviewed matches, with the report''s evidence, in a real registry' {
        Import-MatchReview $json | Add-OptOut -Claimant 'Jane Doe' -RegistryPath $reviewRegistry -InformationAction Ignore
        $records = @(Get-OptOut -RegistryPath $reviewRegistry)
        # One claim per URL (a row found by two works is one claim).
        $records.Target | Sort-Object | Should -Be ($mine.url | Sort-Object -Unique)
        $first = $records | Where-Object Target -eq $mine[0].url
        $first.MatchedDataset | Should -Be $mine[0].dataset
        $first.MatchedKey | Should -Be $mine[0].key
        $first.EvidenceFile | Should -Be $mine[0].query
    }

    It 'refuses a file that is not a review, and writes nothing from it' {
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content $bad '{ "format": "optout-match-review", "decisions": [ { "id": 1, "decision": "maybe", "query": "q", "dataset": "d", "matchKind": "Copy" } ] }'
        $errors = $null
        $out = @(Import-MatchReview $bad, $json -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.FullyQualifiedErrorId | Should -Be 'OptOut.InvalidMatchReview,OptOut.Commands.ImportMatchReviewCommand'
        "$($errors[0])" | Should -Match "decision 1: the decision 'maybe'"
        $out.Count | Should -Be 3
    }
}
