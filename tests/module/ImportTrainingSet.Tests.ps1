# Import-TrainingSet and Get-TrainingSet on real files: the sample img2dataset "files" shard (one
# import shared by the file, run in a separate PowerShell instance so its progress records can be
# read), re-imports, -WhatIf, the LAION URL list (shared reference data), a plain folder of images,
# a malformed parquet beside a good one, a model other than the index's, and $env:OPTOUT_HOME.
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $laionPath = (Join-Path $SharedDataPath 'laion_urls_10000.parquet')
    $laionAbsent = -not (Test-Path -LiteralPath $laionPath)
    $laionTitle = "The LAION URL list ($laionPath)" + $(if ($laionAbsent) { ' (skipped: the file is absent)' } else { '' })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
    $laionPath = (Join-Path $SharedDataPath 'laion_urls_10000.parquet')

    # 40 unrelated pictures, 16 altered re-posts of 4 artworks, 2 failed downloads.
    $sample = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'sample')
    $artist = Join-Path $TestDrive 'artist'
    $artistFiles = @(New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $artist -Count 4)
    $index = Join-Path $TestDrive 'index.db'

    $first = Invoke-InNewRunspace -ModulePath $ModulePath -ArgumentList $sample.FullName, $index -ScriptBlock {
        param($Sample, $Index)
        Import-TrainingSet -Path $Sample -IndexPath $Index
    }
    $firstSummary = $first.Output | Select-Object -First 1
    $setsAfterFirst = @(Get-TrainingSet -IndexPath $index)

    $reimportErrors = $null
    $reimport = @(Import-TrainingSet -Path $sample.FullName -IndexPath $index -ErrorVariable reimportErrors)
    $setsAfterReimport = @(Get-TrainingSet -IndexPath $index)
}

Describe 'Import-TrainingSet of an img2dataset files shard' {
    It 'writes one OptOut.TrainingSetImportSummary and no error' {
        $first.Errors | Should -BeNullOrEmpty
        $first.Output.Count | Should -Be 1
        $firstSummary | Should -BeOfType 'OptOut.TrainingSetImportSummary'
        $firstSummary.PSObject.TypeNames[0] | Should -Be 'OptOut.TrainingSetImportSummary'
    }

    It 'names the dataset after the folder and reports the index it wrote' {
        $firstSummary.Dataset | Should -Be 'sample'
        $firstSummary.IndexPath | Should -Be $index
        Test-Path -LiteralPath $index -PathType Leaf | Should -BeTrue
    }

    It 'imports the 56 downloaded rows, fingerprints all 56 images and skips the 2 failed downloads' {
        $firstSummary.Rows | Should -Be 56
        $firstSummary.ImagesFingerprinted | Should -Be 56
        $firstSummary.Skipped | Should -Be 2
        $firstSummary.Errors | Should -Be 0
    }

    It 'counts one shard imported, none already imported, none failed' {
        $firstSummary.ShardsImported | Should -Be 1
        $firstSummary.ShardsAlreadyImported | Should -Be 0
        $firstSummary.ShardsFailed | Should -Be 0
        $firstSummary.Elapsed | Should -BeOfType [timespan]
        $firstSummary.Elapsed | Should -BeGreaterThan ([timespan]::Zero)
        $firstSummary.RowsPerSecond | Should -BeGreaterThan 0
    }

    It 'writes progress records while importing and ends with a Completed record' {
        # The import fingerprints 56 images: seconds of work on this machine, well past the half
        # second before a progress bar first appears.
        $records = @($first.Progress | Where-Object Activity -Like 'Importing*')
        $records.Count | Should -BeGreaterOrEqual 2 -Because 'at least one progress record and a final Completed one are expected'
        @($records | Where-Object RecordType -EQ 'Processing').Count | Should -BeGreaterOrEqual 1
        $records[-1].RecordType | Should -Be ([System.Management.Automation.ProgressRecordType]::Completed)
        # Records are new objects each time: the ones before the last still read as in progress.
        $records[0].RecordType | Should -Be ([System.Management.Automation.ProgressRecordType]::Processing)
        $records[0].StatusDescription | Should -Match 'rows'
    }

    It 'adds nothing when the same shard is imported again' {
        $reimportErrors | Should -BeNullOrEmpty
        $reimport.Count | Should -Be 1
        $reimport[0].Dataset | Should -Be 'sample'
        $reimport[0].Rows | Should -Be 0
        $reimport[0].ImagesFingerprinted | Should -Be 0
        $reimport[0].ShardsImported | Should -Be 0
        $reimport[0].ShardsAlreadyImported | Should -Be 1
        $reimport[0].ShardsFailed | Should -Be 0
    }

    It 'leaves Get-TrainingSet''s counts unchanged after the re-import' {
        $setsAfterReimport.Count | Should -Be 1
        $setsAfterReimport[0].Rows | Should -Be $setsAfterFirst[0].Rows
        $setsAfterReimport[0].Shards | Should -Be $setsAfterFirst[0].Shards
        $setsAfterReimport[0].Fingerprinted | Should -Be $setsAfterFirst[0].Fingerprinted
        $setsAfterReimport[0].WithEmbedding | Should -Be $setsAfterFirst[0].WithEmbedding
        $setsAfterReimport[0].Skipped | Should -Be $setsAfterFirst[0].Skipped
    }

    It 'writes a verbose line for the shard it skips as already imported' {
        $verbose = Import-TrainingSet -Path $sample.FullName -IndexPath $index -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match 'already imported'
    }
}

Describe 'Import-TrainingSet output' {
    It 'survives ConvertTo-Json and Export-Csv' {
        $json = $firstSummary | ConvertTo-Json | ConvertFrom-Json
        $json.Dataset | Should -Be 'sample'
        $json.Rows | Should -Be 56
        $json.Skipped | Should -Be 2
        $json.IndexPath | Should -Be $index
        $json.Elapsed.Ticks | Should -Be $firstSummary.Elapsed.Ticks
        $csvPath = Join-Path $TestDrive 'summary.csv'
        $firstSummary | Export-Csv -LiteralPath $csvPath
        $csv = Import-Csv -LiteralPath $csvPath
        $csv.Rows | Should -Be '56'
        $csv.ImagesFingerprinted | Should -Be '56'
        [timespan]::Parse($csv.Elapsed, [cultureinfo]::InvariantCulture) | Should -Be $firstSummary.Elapsed
    }
}

Describe 'Import-TrainingSet of a path that does not exist' {
    It 'writes a non-terminating OptOut.FileNotFound error and creates no index' {
        $missingIndex = Join-Path $TestDrive 'missing-input.db'
        $errors = $null
        $output = @(Import-TrainingSet -Path (Join-Path $TestDrive 'no-such-folder') -IndexPath $missingIndex -ErrorVariable errors -ErrorAction SilentlyContinue)
        $output | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
        Test-Path -LiteralPath $missingIndex | Should -BeFalse
    }
}

Describe 'A file that is not an OptOut index, given as -IndexPath' {
    BeforeDiscovery {
        $sqliteCli = Get-Command sqlite3 -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        $foreignKinds = @(
            @{ Kind = 'an OptOut registry'; Skip = $false }
            @{ Kind = 'a text file'; Skip = $false }
            @{ Kind = 'garbage'; Skip = $false }
            @{ Kind = "another application's SQLite database (sqlite3 CLI)"; Skip = -not $sqliteCli }
        )
    }

    BeforeAll {
        function Get-FolderState([string] $Folder) {
            Get-ChildItem -LiteralPath $Folder | ForEach-Object { "$($_.Name) $((Get-FileHash -LiteralPath $_.FullName).Hash) $($_.LastWriteTimeUtc.Ticks)" }
        }
    }

    It 'Get-TrainingSet, Find-TrainedImage and Import-TrainingSet refuse <Kind> with OptOut.NotAnIndex naming it, and leave it untouched' -ForEach $foreignKinds {
        if ($Skip) { Set-ItResult -Skipped -Because 'the sqlite3 command-line tool is absent'; return }
        $foreignFolder = Join-Path $TestDrive ('foreign-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $foreignFolder
        $foreign = Join-Path $foreignFolder 'other.db'
        switch -Wildcard ($Kind) {
            'an OptOut registry' { $null = Add-OptOut -Url 'https://artist.example/a.jpg' -RegistryPath $foreign }
            'a text file' { Set-Content -LiteralPath $foreign -Value "name,url`nartist,https://example.com/" }
            'garbage' { [IO.File]::WriteAllBytes($foreign, [byte[]](1..4096 | ForEach-Object { ($_ * 73 + 11) % 256 })) }
            'another*' { & sqlite3 $foreign 'PRAGMA journal_mode=WAL; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES (''keep me'');' | Out-Null }
        }
        (Get-Item -LiteralPath $foreign).LastWriteTimeUtc = [datetime]::UtcNow.AddMinutes(-5)
        $before = Get-FolderState $foreignFolder

        $commands = @(
            { Get-TrainingSet -IndexPath $foreign }
            { Find-TrainedImage -Text 'artist' -IndexPath $foreign }
            { Find-TrainedImage -Url 'https://artist.example/a.jpg' -IndexPath $foreign }
            { Import-TrainingSet -Path $artist -IndexPath $foreign }
        )
        foreach ($command in $commands) {
            $caught = $null
            try { & $command } catch { $caught = $_ }
            $caught | Should -Not -BeNullOrEmpty -Because "$command must stop"
            $caught.FullyQualifiedErrorId | Should -BeLike 'OptOut.NotAnIndex*'
            $caught.TargetObject | Should -Be $foreign
            $caught.Exception.Message | Should -BeLike "*$foreign*"
        }
        # The same files (no -wal, -shm, .vectors or .captions), bytes and time stamps.
        Get-FolderState $foreignFolder | Should -Be $before
    }

    It 'Get-TrainingSet refuses an index of schema 1, untouched, with OptOut.IndexUpgradeRequired; Import-TrainingSet upgrades it' -Skip:(-not $sqliteCli) {
        $oldFolder = Join-Path $TestDrive 'schema1'
        $null = New-Item -ItemType Directory -Path $oldFolder
        $old = Join-Path $oldFolder 'index.db'
        & sqlite3 $old @'
PRAGMA journal_mode=WAL;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE datasets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, created_at TEXT NOT NULL);
CREATE TABLE shards(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id), source TEXT NOT NULL, identity TEXT NOT NULL, layout TEXT NOT NULL, rows INTEGER NOT NULL DEFAULT 0, fingerprinted INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL, UNIQUE(dataset_id, identity));
CREATE TABLE rows(id INTEGER PRIMARY KEY, dataset_id INTEGER NOT NULL, shard_id INTEGER NOT NULL, key TEXT, url TEXT, url_hash INTEGER, host_rev TEXT, caption TEXT, width INTEGER, height INTEGER, sha256 BLOB, md5 BLOB, phash INTEGER, embedding BLOB);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO datasets VALUES (1, 'old', '2026-11-01T00:00:00.0000000Z');
INSERT INTO shards(id, dataset_id, source, identity, layout, rows, imported_at) VALUES (1, 1, 's', 's', 'test', 1, '2026-11-01T00:00:00.0000000Z');
INSERT INTO rows(id, dataset_id, shard_id, key, caption) VALUES (1, 1, 1, 'k', 'an old caption');
'@ | Out-Null
        (Get-Item -LiteralPath $old).LastWriteTimeUtc = [datetime]::UtcNow.AddMinutes(-5)
        $before = Get-FolderState $oldFolder

        $caught = $null
        try { Get-TrainingSet -IndexPath $old } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'OptOut.IndexUpgradeRequired*'
        $caught.Exception.Message | Should -BeLike "*$old*Import-TrainingSet*"
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*Import-TrainingSet -IndexPath*'
        { Find-TrainedImage -Text 'old' -IndexPath $old } | Should -Throw -ErrorId 'OptOut.IndexUpgradeRequired*'
        Get-FolderState $oldFolder | Should -Be $before

        $null = Import-TrainingSet -Path $artist -IndexPath $old -Name 'artist'
        @(Get-TrainingSet -IndexPath $old).Name | Should -Be @('artist', 'old')
        (Find-TrainedImage -Text 'old caption' -IndexPath $old).Key | Should -Be 'k'
    }
}

Describe 'Import-TrainingSet -WhatIf' {
    It 'creates no index file' {
        $whatIfIndex = Join-Path $TestDrive 'whatif/index.db'
        $output = @(Import-TrainingSet -Path $sample.FullName -IndexPath $whatIfIndex -WhatIf)
        $output | Should -BeNullOrEmpty
        Test-Path -LiteralPath $whatIfIndex | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $TestDrive 'whatif') | Should -BeFalse
    }

    It 'adds no dataset to an existing index' {
        $output = @(Import-TrainingSet -Path $artist -IndexPath $index -Name 'whatif-portfolio' -WhatIf)
        $output | Should -BeNullOrEmpty
        @(Get-TrainingSet -IndexPath $index).Name | Should -Be @('sample')
    }
}

Describe 'Get-TrainingSet' {
    BeforeAll {
        $portfolioSummary = Import-TrainingSet -Path $artist -IndexPath $index -Name 'Portfolio'
        $sets = @(Get-TrainingSet -IndexPath $index)
        $sampleSet = $sets | Where-Object Name -EQ 'sample'
        $portfolioSet = $sets | Where-Object Name -EQ 'Portfolio'
    }

    It 'writes one OptOut.TrainingSet per dataset' {
        $sets.Count | Should -Be 2
        @($sets.Name | Sort-Object) | Should -Be @('Portfolio', 'sample')
        foreach ($set in $sets) {
            $set | Should -BeOfType 'OptOut.TrainingSet'
            $set.IndexPath | Should -Be $index
            $set.CreatedAt | Should -BeOfType [datetime]
        }
    }

    It 'counts the sample''s rows, shards, fingerprints and embeddings' {
        $sampleSet.Rows | Should -Be 56
        $sampleSet.Shards | Should -Be 1
        $sampleSet.Fingerprinted | Should -Be 56
        $sampleSet.WithEmbedding | Should -Be 56
    }

    It 'counts the 2 failed downloads the import skipped' {
        $sampleSet.Skipped | Should -Be $firstSummary.Skipped
        $sampleSet.Skipped | Should -Be 2
    }

    It 'names the bundled ResNet18 model as the model of both datasets' {
        $sampleSet.Model | Should -BeLike 'ResNet18@sha256:*'
        $portfolioSet.Model | Should -Be $sampleSet.Model
    }

    It 'counts the folder dataset' {
        $portfolioSummary.Rows | Should -Be 4
        $portfolioSet.Rows | Should -Be 4
        $portfolioSet.Shards | Should -Be 1
        $portfolioSet.Fingerprinted | Should -Be 4
    }

    It 'filters by -Name with wildcards, case-insensitively' {
        @(Get-TrainingSet -IndexPath $index -Name 'port*').Name | Should -Be @('Portfolio')
        @(Get-TrainingSet -IndexPath $index -Name 'SAMP*').Name | Should -Be @('sample')
        @(Get-TrainingSet -IndexPath $index -Name '*').Count | Should -Be 2
        @(Get-TrainingSet -IndexPath $index -Name 'sample', 'Portfolio').Count | Should -Be 2
        @(Get-TrainingSet -IndexPath $index -Name 'nothing*') | Should -BeNullOrEmpty
    }

    It 'stops with OptOut.IndexNotFound when the index does not exist, and creates nothing' {
        $missing = Join-Path $TestDrive 'missing/index.db'
        { Get-TrainingSet -IndexPath $missing -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'OptOut.IndexNotFound*'
        try { Get-TrainingSet -IndexPath $missing } catch { $caught = $_ }
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.TargetObject | Should -Be $missing
        Test-Path -LiteralPath $missing | Should -BeFalse
    }

    It 'has a default table view of 4 to 6 columns' {
        $view = Get-FormatData -TypeName 'OptOut.TrainingSet' -PowerShellVersion $PSVersionTable.PSVersion
        $columns = @($view.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] } | Select-Object -First 1).Control.Headers
        $columns.Count | Should -BeGreaterOrEqual 4
        $columns.Count | Should -BeLessOrEqual 6
    }

    It 'writes objects that survive ConvertTo-Json and Export-Csv' {
        $json = $sampleSet | ConvertTo-Json | ConvertFrom-Json
        $json.Name | Should -Be 'sample'
        $json.Rows | Should -Be 56
        $json.Model | Should -Be $sampleSet.Model
        $csvPath = Join-Path $TestDrive 'sets.csv'
        $sets | Export-Csv -LiteralPath $csvPath
        $csv = @(Import-Csv -LiteralPath $csvPath)
        $csv.Count | Should -Be 2
        ($csv | Where-Object Name -EQ 'sample').Fingerprinted | Should -Be '56'
    }
}

Describe 'Import-TrainingSet of a plain folder of images' {
    BeforeAll {
        $folderIndex = Join-Path $TestDrive 'folder.db'
        $folderErrors = $null
        # Piped from Get-Item: binds -LiteralPath by the PSPath property.
        $folderSummary = Get-Item -LiteralPath $artist | Import-TrainingSet -IndexPath $folderIndex -ErrorVariable folderErrors
    }

    It 'imports and fingerprints each image, naming the dataset after the folder' {
        $folderErrors | Should -BeNullOrEmpty
        $folderSummary.Dataset | Should -Be 'artist'
        $folderSummary.Rows | Should -Be 4
        $folderSummary.ImagesFingerprinted | Should -Be 4
        $folderSummary.Skipped | Should -Be 0
    }

    It 'records each file''s full path as its Url' {
        foreach ($file in $artistFiles) {
            $found = @(Find-TrainedImage -Url $file.FullName -IndexPath $folderIndex)
            $found.Count | Should -Be 1 -Because "$($file.Name) is one row"
            $found[0].Url | Should -Be $file.FullName
            $found[0].Dataset | Should -Be 'artist'
            $found[0].Width | Should -Be 320
            $found[0].Height | Should -Be 240
        }
    }

    It 'finds each file again by its content, as an Exact match with its SHA-256' {
        $found = @($artistFiles | Find-TrainedImage -IndexPath $folderIndex | Where-Object MatchKind -EQ 'Exact')
        $found.Count | Should -Be 4
        $found.Url | Should -Be $artistFiles.FullName
        foreach ($match in $found) {
            $match.Sha256 | Should -Be (Get-FileHash -LiteralPath $match.Url -Algorithm SHA256).Hash.ToLowerInvariant()
        }
    }
}

Describe 'A malformed parquet beside a good one' {
    BeforeAll {
        $mixed = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'mixed')
        # The sample's metadata parquet on its own: 58 rows of metadata (2 failed downloads), no images.
        Copy-Item -LiteralPath (Join-Path $sample '00000.parquet') -Destination (Join-Path $mixed 'good.parquet')
        $bytes = [byte[]]::new(4096)
        [System.Random]::new(42).NextBytes($bytes)
        $badParquet = Join-Path $mixed 'x.parquet'
        [System.IO.File]::WriteAllBytes($badParquet, $bytes)
        $mixedIndex = Join-Path $TestDrive 'mixed.db'
        $mixedErrors = $null
        $mixedOutput = @(Import-TrainingSet -Path $mixed -IndexPath $mixedIndex -ErrorVariable mixedErrors -ErrorAction SilentlyContinue)
    }

    It 'writes one non-terminating OptOut.DatasetReadFailed error naming the bad file' {
        $mixedErrors.Count | Should -Be 1
        $mixedErrors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.DatasetReadFailed*'
        $mixedErrors[0].TargetObject | Should -Be $badParquet
        $mixedErrors[0].Exception.Message | Should -BeLike '*x.parquet*'
        $mixedErrors[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'still imports the good parquet and says one shard failed' {
        $mixedOutput.Count | Should -Be 1
        $mixedOutput[0].Rows | Should -Be 56
        $mixedOutput[0].Skipped | Should -Be 2
        $mixedOutput[0].ImagesFingerprinted | Should -Be 0
        $mixedOutput[0].ShardsImported | Should -Be 1
        $mixedOutput[0].ShardsFailed | Should -Be 1
        $mixedOutput[0].Errors | Should -BeGreaterOrEqual 1
        (Get-TrainingSet -IndexPath $mixedIndex).Rows | Should -Be 56
    }

    It 'finds the good parquet''s rows by URL' {
        $found = @(Find-TrainedImage -Url 'https://cdn.stockpix.example/photos/0000.jpg' -IndexPath $mixedIndex)
        $found.Count | Should -Be 1
        $found[0].Caption | Should -Be 'sunset over the harbour, stock image 0'
    }

    It 'leaves no empty dataset behind when the malformed parquet is imported alone' {
        $errors = $null
        $output = @(Import-TrainingSet -Path $badParquet -Name 'only-bad' -IndexPath $mixedIndex -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.DatasetReadFailed*'
        $output[0].ShardsFailed | Should -Be 1
        $output[0].ShardsImported | Should -Be 0
        @(Get-TrainingSet -IndexPath $mixedIndex).Name | Should -Be @('mixed')
    }
}

Describe 'Importing with a model other than the index''s' {
    BeforeAll {
        $other = New-EmbeddingModel -Path (Join-Path $ModulePath 'models/ResNet18.onnx') -Normalization ImageNet -Name Other
        $mismatchIndex = Join-Path $TestDrive 'mismatch.db'
        $one = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'one')
        Copy-Item -LiteralPath $artistFiles[0].FullName -Destination $one
        $null = Import-TrainingSet -Path $one -IndexPath $mismatchIndex -Name 'resnet'
        $before = @(Get-TrainingSet -IndexPath $mismatchIndex)
    }

    It 'describes a model with another name, so another model id' {
        $other.Name | Should -Be 'Other'
        $before[0].Model | Should -BeLike 'ResNet18@sha256:*'
        $before[0].Model | Should -Not -BeLike 'Other@*'
    }

    It 'stops with the terminating error OptOut.ModelMismatch' {
        { Import-TrainingSet -Path $artist -IndexPath $mismatchIndex -Name 'other' -Model $other -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'OptOut.ModelMismatch*'
        try { Import-TrainingSet -Path $artist -IndexPath $mismatchIndex -Name 'other' -Model $other } catch { $caught = $_ }
        $caught.CategoryInfo.Category | Should -Be 'InvalidData'
        $caught.Exception.Message | Should -BeLike '*ResNet18@sha256:*'
        $caught.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'leaves the index as it was: no rows and no dataset added' {
        $after = @(Get-TrainingSet -IndexPath $mismatchIndex)
        $after.Name | Should -Be @($before.Name)
        ($after | Measure-Object Rows -Sum).Sum | Should -Be 1
    }
}

Describe $laionTitle -Skip:$laionAbsent {
    BeforeAll {
        $laionIndex = Join-Path $TestDrive 'laion.db'
        $laionErrors = $null
        $laionSummary = Import-TrainingSet -Path $laionPath -IndexPath $laionIndex -ErrorVariable laionErrors
    }

    It 'imports its 10,000 rows (metadata only), named after the file' {
        $laionErrors | Should -BeNullOrEmpty
        $laionSummary | Should -BeOfType 'OptOut.TrainingSetImportSummary'
        $laionSummary.Dataset | Should -Be 'laion_urls_10000'
        $laionSummary.Rows | Should -Be 10000
        $laionSummary.ImagesFingerprinted | Should -Be 0
        $laionSummary.Skipped | Should -Be 0
        $laionSummary.Errors | Should -Be 0
        $set = Get-TrainingSet -IndexPath $laionIndex
        $set.Rows | Should -Be 10000
        $set.Fingerprinted | Should -Be 0
        $set.Model | Should -BeNullOrEmpty
    }

    It 'finds a URL written with an upper-case scheme and host and the default port' {
        $found = @(Find-TrainedImage -Url 'HTTPS://IHFILES.COM:443/products/108/16051/p/3/342256.jpeg' -IndexPath $laionIndex)
        $found.Count | Should -Be 1
        $found[0].Url | Should -BeExactly 'https://ihfiles.com/products/108/16051/p/3/342256.jpeg'
        $found[0].Key | Should -Be '2'
        $found[0].Caption | Should -Be 'Custom Portfolios, Padfolios & Writing Pads - Hampton Writing Pad'
        $found[0].MatchKind | Should -Be 'Url'
        $found[0].Query | Should -Be 'HTTPS://IHFILES.COM:443/products/108/16051/p/3/342256.jpeg'
    }

    It 'finds an http URL written with :80, and one stored with an upper-case host' {
        $found = @(Find-TrainedImage -Url 'http://www.historiquedesjeuxvideo.com:80/phpbuns/jeu/upload/11313.jpg' -IndexPath $laionIndex)
        $found.Count | Should -Be 1
        $found[0].Url | Should -BeExactly 'http://www.HISTORIQUEDESJEUXVIDEO.COM/phpbuns/jeu/upload/11313.jpg'
    }

    It 'finds a URL stored with :443 when asked without it' {
        $stored = 'https://media.rightmove.co.uk:443/dir/crop/10:9-16:9/34k/33173/84192700/33173_29953049_IMG_01_0000_max_476x317.jpg'
        $found = @(Find-TrainedImage -Url ($stored -replace ':443', '') -IndexPath $laionIndex)
        $found.Count | Should -Be 1
        $found[0].Url | Should -BeExactly $stored
    }

    It 'finds a URL with ~ when asked with %7E' {
        $stored = 'https://st.hzcdn.com/fimgs/pictures/bathrooms/mccann-john-lum-architecture-inc-aia-img~f821b5150d2b5289_9577-1-e3f84d2-w228-h228-b0-p0.jpg'
        $found = @(Find-TrainedImage -Url ($stored -replace '~', '%7E') -IndexPath $laionIndex)
        $found.Count | Should -Be 1
        $found[0].Url | Should -BeExactly $stored
    }

    It 'finds at least the <Count> rows of <Domain> with -Domain' -ForEach @(
        # Counted in the file with the regex ^https?://([^/:]+), host equal to the domain or ending in '.' + it.
        @{ Domain = 'cdn.shopify.com'; Count = 641 }
        @{ Domain = 'thumbs.dreamstime.com'; Count = 196 }
        @{ Domain = 'shopify.com'; Count = 647 }
        @{ Domain = 'wordpress.com'; Count = 145 }
    ) {
        $found = @(Find-TrainedImage -Domain $Domain -IndexPath $laionIndex)
        $found.Count | Should -BeGreaterOrEqual $Count
        $pattern = "(^|\.)$([regex]::Escape($Domain))$"
        $outside = @($found | Where-Object { $_.MatchKind -ne 'Domain' -or ([uri] $_.Url).Host.ToLowerInvariant() -notmatch $pattern })
        $outside.Url | Should -BeNullOrEmpty -Because "-Domain $Domain should return only rows on $Domain or its subdomains"
    }

    It 'caps -Domain results with -Top' {
        @(Find-TrainedImage -Domain 'cdn.shopify.com' -IndexPath $laionIndex -Top 5).Count | Should -Be 5
    }
}

Describe 'The default index under $env:OPTOUT_HOME' {
    BeforeAll {
        $optoutHome = Join-Path $TestDrive 'optout-home'
        $parquet = Join-Path $sample '00000.parquet'
        $child = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
`$env:OPTOUT_HOME = '$($optoutHome -replace "'", "''")'
Import-Module `$ModulePath
`$summary = Import-TrainingSet -Path '$($parquet -replace "'", "''")' -Name defaulted
`$sets = @(Get-TrainingSet)
`$found = @(Find-TrainedImage -Url 'https://images.blogspace.example/photos/0001.jpg')
Write-Result @{
    SummaryIndexPath = `$summary.IndexPath
    Rows = `$summary.Rows
    Sets = @(`$sets | ForEach-Object { @{ Name = `$_.Name; Rows = `$_.Rows; IndexPath = `$_.IndexPath } })
    Found = `$found.Count
    IndexExists = Test-Path -LiteralPath (Join-Path `$env:OPTOUT_HOME 'index.db') -PathType Leaf
}
"@
    }

    It 'creates $env:OPTOUT_HOME/index.db when -IndexPath is omitted' {
        $child.ExitCode | Should -Be 0 -Because $child.Output
        $child.IndexExists | Should -BeTrue
        $child.SummaryIndexPath | Should -Be (Join-Path $optoutHome 'index.db')
        $child.Rows | Should -Be 56
        Test-Path -LiteralPath (Join-Path $optoutHome 'index.db') -PathType Leaf | Should -BeTrue
    }

    It 'reads the same default index in Get-TrainingSet and Find-TrainedImage' {
        $child.Sets.Count | Should -Be 1
        $child.Sets[0].Name | Should -Be 'defaulted'
        $child.Sets[0].Rows | Should -Be 56
        $child.Sets[0].IndexPath | Should -Be (Join-Path $optoutHome 'index.db')
        $child.Found | Should -Be 1
    }
}
