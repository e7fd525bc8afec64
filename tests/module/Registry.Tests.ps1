# The consent registry through the built module: Add-OptOut / Add-OptIn (URLs, domains, content,
# Find-TrainedImage matches, -IncludeCopies), Get-OptOut, Remove-OptOut, Export-/Import-OptOutList,
# Get-OptOutHistory. Real SQLite files under $TestDrive, real images from the sample generator, the
# real model; raw-SQL checks of the file itself are in tests/OptOut.Core.Tests/Registry.
# Invoke-ModuleTests.ps1 runs this file twice: -Backend SQLite (files) and -Backend PostgreSQL (a
# database a test server holds: PostgresServer.ps1 starts it, and without PostgreSQL's binaries
# that run is skipped, saying so). The blocks about the file itself run against SQLite only.
param([string] $ModulePath, [ValidateSet('SQLite', 'PostgreSQL')] [string] $Backend = 'SQLite')

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'PostgresServer.ps1')
    $OnPostgres = $Backend -eq 'PostgreSQL'
    $NoServer = $OnPostgres -and -not (Get-PostgresBin)
    $Suffix = if ($NoServer) { ' [PostgreSQL] (skipped: PostgreSQL''s server binaries are not installed; build.ps1 Test installs Debian''s postgresql)' } elseif ($OnPostgres) { ' [PostgreSQL]' } else { '' }
    # Blocks about the SQLite file itself (where it lives, file guards, other programs' files).
    $FileOnly = $OnPostgres
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'PostgresServer.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
    $OnPostgres = $Backend -eq 'PostgreSQL'
    $Server = if ($OnPostgres -and (Get-PostgresBin)) { Start-TestPostgres }

    # A registry of its own: a file under $TestDrive, or a new database on the test server.
    function New-RegistryPath([string] $Name = 'registry') {
        if ($Server) { return Get-TestConnectionString $Server (New-TestDatabase $Server) }
        Join-Path $TestDrive ('{0}-{1}.db' -f $Name, [guid]::NewGuid().ToString('N').Substring(0, 8))
    }

    # Whether a command created the registry: the file, or the schema in the database.
    function Test-Registry([string] $Registry) {
        if (-not $Server) { return Test-Path -LiteralPath $Registry }
        $database = ($Registry -split ';' | Where-Object { $_ -like 'Database=*' }) -replace '^Database=', ''
        (Invoke-TestSql $Server $database "SELECT to_regclass('optout.meta') IS NOT NULL") -eq 't'
    }

    function Get-AuditCount([string] $Registry) { @(Get-OptOutHistory -RegistryPath $Registry).Count }

    # The copy rule of src/OptOut.Core/Index/CopyRule.cs (CopyRule.Default).
    function Test-IsCopy([int] $HashDistance, [double] $Similarity) {
        ($HashDistance -le 6) -or ($Similarity -ge 0.90) -or ($HashDistance -le 16 -and $Similarity -ge 0.80)
    }

    # Every property a list must carry, as comparable text (dates to the tick, embeddings as bytes).
    function ConvertTo-Comparable($Record) {
        [ordered]@{
            Id = $Record.Id; Decision = $Record.Decision; Kind = $Record.Kind; Target = $Record.Target
            Claimant = $Record.Claimant; Reason = $Record.Reason; CreatedAt = $Record.CreatedAt.ToUniversalTime().Ticks
            Status = $Record.Status; RevokedAt = if ($Record.RevokedAt) { $Record.RevokedAt.ToUniversalTime().Ticks }
            RevokedBy = $Record.RevokedBy; RevokedReason = $Record.RevokedReason; PerceptualHash = $Record.PerceptualHash
            ModelId = $Record.ModelId; EvidenceFile = $Record.EvidenceFile; EvidenceSha256 = $Record.EvidenceSha256
            MatchedDataset = $Record.MatchedDataset; MatchedKey = $Record.MatchedKey; MatchedUrl = $Record.MatchedUrl
            MatchKind = $Record.MatchKind; Similarity = $Record.Similarity; HashDistance = $Record.HashDistance
            Embedding = if ($Record.Embedding) { $bytes = [byte[]]::new($Record.Embedding.Length * 4); [Buffer]::BlockCopy([float[]] $Record.Embedding, 0, $bytes, 0, $bytes.Length); [Convert]::ToBase64String($bytes) }
        } | ConvertTo-Json -Compress
    }

    # One image set for the whole file: the artist's works and their altered copies.
    $Art = Join-Path $TestDrive 'art'
    $Copies = Join-Path $TestDrive 'copies'
    $null = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $Art -Count 3
    $null = New-SampleImage -ModulePath $ModulePath -Kind copies -Destination $Copies -Count 1
}


AfterAll { if ($Server) { Stop-TestPostgres $Server } }

Describe "Where the registry lives$Suffix" -Skip:($NoServer -or $FileOnly) {
    BeforeAll {
        $savedHome = $env:OPTOUT_HOME
        $env:OPTOUT_HOME = Join-Path $TestDrive 'home'
    }
    AfterAll { $env:OPTOUT_HOME = $savedHome }

    It 'uses registry.db under $env:OPTOUT_HOME by default, separate from the index' {
        Add-OptOut -Url 'https://default.example/a.jpg'
        $file = Join-Path $env:OPTOUT_HOME 'registry.db'
        Test-Path -LiteralPath $file | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $env:OPTOUT_HOME 'index.db') | Should -BeFalse
        (Get-OptOutEnvironment).RegistryPath | Should -Be $file
        (Get-OptOutEnvironment).IndexPath | Should -Not -Be $file
        (Get-OptOut).Target | Should -Be 'https://default.example/a.jpg'
        (Get-OptOut -RegistryPath $file).Target | Should -Be 'https://default.example/a.jpg'
    }

    It 'takes -RegistryPath relative to the current location' {
        Push-Location $TestDrive
        try {
            Add-OptOut -Url 'https://relative.example/a.jpg' -RegistryPath 'relative.db'
            Test-Path -LiteralPath (Join-Path $TestDrive 'relative.db') | Should -BeTrue
            (Get-OptOut -RegistryPath ./relative.db).Target | Should -Be 'https://relative.example/a.jpg'
        }
        finally { Pop-Location }
    }
}

Describe "Add-OptOut and Add-OptIn with URLs and domains$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $urlFile = Join-Path $TestDrive 'urls.txt'
        $lines = @(1..25 | ForEach-Object { "https://Pics.Example.com/gallery/$_.jpg" }) + 'HTTPS://PICS.EXAMPLE.COM:443/gallery/1.jpg#top' + 'https://pics.example.com/gallery/%7Ejane.jpg'
        Set-Content -LiteralPath $urlFile -Value $lines
        $output = @(Get-Content -LiteralPath $urlFile | Add-OptOut -RegistryPath $registry -Reason 'bulk list')
    }

    It 'binds plain strings from the pipeline to -Url and records each URL once, normalised' {
        $output | Should -BeNullOrEmpty    # no -PassThru, no output
        $records = @(Get-OptOut -RegistryPath $registry)
        $records.Count | Should -Be 26
        $records.Target | Should -Contain 'https://pics.example.com/gallery/1.jpg'
        $records.Target | Should -Contain 'https://pics.example.com/gallery/~jane.jpg'
        $records | ForEach-Object { $_.Kind | Should -Be 'Url'; $_.Decision | Should -Be 'Refuse'; $_.Status | Should -Be 'Active'; $_.Reason | Should -Be 'bulk list' }
        $records[0].GetType().FullName | Should -Be 'OptOut.ConsentRecord'
    }

    It 'records the current user as claimant by default and in the audit log' {
        (Get-OptOut -RegistryPath $registry).Claimant | Sort-Object -Unique | Should -Be ([Environment]::UserName)
        $audit = @(Get-OptOutHistory -RegistryPath $registry -Action AddOptOut)
        $audit.Count | Should -Be 26
        $audit.User | Sort-Object -Unique | Should -Be ([Environment]::UserName)
        $audit | ForEach-Object { $_.At.Kind | Should -Be 'Utc'; $_.Reason | Should -Be 'bulk list'; $_.RecordId | Should -Not -BeNullOrEmpty }
    }

    It 'changes nothing when the same list is added again, and -PassThru returns the records already there' {
        $before = Get-AuditCount $registry
        $ids = @(Get-OptOut -RegistryPath $registry).Id
        $again = @(Get-Content -LiteralPath $urlFile | Add-OptOut -RegistryPath $registry -PassThru)
        # One object per record: the file's 27 lines hold 26 distinct URLs after normalisation.
        $again.Count | Should -Be 26
        ($again.Id | Sort-Object -Unique) | Should -Be ($ids | Sort-Object)
        @(Get-OptOut -RegistryPath $registry).Count | Should -Be 26
        Get-AuditCount $registry | Should -Be $before
    }

    It 'takes a list in arrays (Get-Content -ReadCount) and records what the line-by-line add records' {
        $other = New-RegistryPath
        $file = Join-Path $TestDrive 'urls-readcount.txt'
        # Comments and blank lines inside the arrays are skipped as they are line by line.
        Set-Content -LiteralPath $file -Value (@('# my works', '') + $lines + @('   ', 'https://pics.example.com/gallery/extra.jpg'))
        $output = @(Get-Content -LiteralPath $file -ReadCount 4 | Add-OptOut -RegistryPath $other -Reason 'bulk list')
        $output | Should -BeNullOrEmpty
        $records = @(Get-OptOut -RegistryPath $other)
        $records.Count | Should -Be 27
        $expected = @(@(Get-OptOut -RegistryPath $registry | Where-Object Reason -EQ 'bulk list').Target) + 'https://pics.example.com/gallery/extra.jpg'
        $expected.Count | Should -Be 27
        ($records.Target | Sort-Object) | Should -Be ($expected | Sort-Object)
        @(Get-OptOutHistory -RegistryPath $other -Action AddOptOut).Count | Should -Be 27
    }

    It 'records -Claimant and -Reason, while the audit log keeps the person who ran the command' {
        $r = Add-OptOut -Url 'https://studio.example/1.jpg' -Claimant 'Studio X' -Reason 'client request' -RegistryPath $registry -PassThru
        $r.Claimant | Should -Be 'Studio X'
        $r.Reason | Should -Be 'client request'
        $r.CreatedAt.Kind | Should -Be 'Utc'
        $entry = Get-OptOutHistory -Id $r.Id -RegistryPath $registry
        $entry.User | Should -Be ([Environment]::UserName)
        $entry.Action | Should -Be 'AddOptOut'
        $entry.Reason | Should -Be 'client request'
        (Get-OptOut -Claimant 'studio x' -RegistryPath $registry).Id | Should -Be $r.Id
    }

    It 'records -Domain claims keyed by the host' {
        $records = @(Add-OptOut -Domain 'Portfolio.Example.ORG.', '*.cdn.example.net' -RegistryPath $registry -PassThru)
        $records.Kind | Sort-Object -Unique | Should -Be 'Domain'
        $records.Target | Should -Be @('portfolio.example.org', 'cdn.example.net')
        [pscustomobject]@{ Domain = 'bound.example.com' } | Add-OptOut -RegistryPath $registry
        (Get-OptOut -Kind Domain -RegistryPath $registry).Target | Should -Contain 'bound.example.com'
    }

    It 'reports an invalid domain as an error and still records the valid ones' {
        $before = @(Get-OptOut -RegistryPath $registry).Count
        Add-OptOut -Domain 'good-one.example', 'localhost', 'good-two.example' -RegistryPath $registry -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.InvalidClaim*'
        $problems[0].TargetObject | Should -Be 'localhost'
        @(Get-OptOut -RegistryPath $registry).Count | Should -Be ($before + 2)
    }

    It 'records a list longer than a batch in one run, in input order, reporting a bad line and keeping the rest' {
        # 60,001 URLs: two batches of 50,000 claims written on the writing thread while the
        # pipeline binds the next; one line in the middle is not a web address.
        $bulk = New-RegistryPath 'bulk'
        $urls = [System.Collections.Generic.List[string]]::new()
        foreach ($i in 1..60000) { $urls.Add("https://bulk$($i % 97).example/works/$i.jpg") }
        $urls.Insert(30000, 'not a web address')
        $records = @($urls | Add-OptOut -RegistryPath $bulk -Reason 'bulk' -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue)
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.InvalidClaim*'
        $records.Count | Should -Be 60000
        ($records.Id | Sort-Object -Unique).Count | Should -Be 60000
        $records[0].Target | Should -Be 'https://bulk1.example/works/1.jpg'
        $records[29999].Target | Should -Be 'https://bulk27.example/works/30000.jpg'
        $records[30000].Target | Should -Be 'https://bulk28.example/works/30001.jpg'
        $records[-1].Target | Should -Be 'https://bulk54.example/works/60000.jpg'
        @(Get-OptOut -RegistryPath $bulk).Count | Should -Be 60000
        @(Get-OptOutHistory -Action AddOptOut -RegistryPath $bulk).Count | Should -Be 60000

        # The same list again adds nothing.
        $again = @($urls | Add-OptOut -RegistryPath $bulk -PassThru -ErrorAction SilentlyContinue)
        ($again.Id | Sort-Object) | Should -Be ($records.Id | Sort-Object)
        @(Get-OptOut -RegistryPath $bulk).Count | Should -Be 60000
    }

    It 'refuses a URL claim for text that is not a web address' {
        # Import-OptOutList rejects such lines in a URL list; Add-OptOut must not record them either.
        $before = @(Get-OptOut -RegistryPath $registry -IncludeRevoked).Count
        Add-OptOut -Url 'not a url', '/etc/passwd' -RegistryPath $registry -ErrorVariable problems -ErrorAction SilentlyContinue
        @(Get-OptOut -RegistryPath $registry -IncludeRevoked).Count | Should -Be $before
        $problems.Count | Should -Be 2
    }

    It 'records grants with Add-OptIn, beside refusals of the same URL' {
        $grant = Add-OptIn -Url 'https://pics.example.com/gallery/2.jpg' -Reason 'licensed' -RegistryPath $registry -PassThru
        $grant.Decision | Should -Be 'Grant'
        (Get-OptOutHistory -Id $grant.Id -RegistryPath $registry).Action | Should -Be 'AddOptIn'
        @(Get-OptOut -Url 'https://pics.example.com/gallery/2.jpg' -RegistryPath $registry).Decision | Sort-Object | Should -Be @('Grant', 'Refuse')
        (Get-OptOut -Decision Grant -RegistryPath $registry).Id | Should -Be $grant.Id
    }
}

Describe "-WhatIf changes nothing$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $seed = Add-OptOut -Url 'https://whatif.example/seed.jpg' -RegistryPath $registry -PassThru
        function Get-State { (@(Get-OptOut -RegistryPath $registry -IncludeRevoked) | ForEach-Object { ConvertTo-Comparable $_ }) + @(Get-OptOutHistory -RegistryPath $registry | ForEach-Object { $_.Sequence }) -join "`n" }
    }

    It 'Add-OptOut, Add-OptIn, Remove-OptOut and Import-OptOutList -WhatIf add no record and no audit row' {
        $before = Get-State
        1..3 | ForEach-Object { "https://whatif.example/$_.jpg" } | Add-OptOut -RegistryPath $registry -WhatIf
        Add-OptOut -Domain 'whatif.example' -RegistryPath $registry -WhatIf
        Add-OptOut -LiteralPath (Join-Path $Art 'artwork-01.png') -RegistryPath $registry -WhatIf
        Add-OptIn -Url 'https://whatif.example/seed.jpg' -RegistryPath $registry -WhatIf
        Remove-OptOut -Id $seed.Id -RegistryPath $registry -WhatIf
        $list = Join-Path $TestDrive 'whatif.txt'
        Set-Content -LiteralPath $list -Value 'https://whatif.example/listed.jpg'
        Import-OptOutList -Path $list -RegistryPath $registry -WhatIf | Should -BeNullOrEmpty
        Get-State | Should -Be $before
    }

    It 'Export-OptOutList -WhatIf writes no file' {
        $file = Join-Path $TestDrive 'whatif.csv'
        Export-OptOutList -Path $file -RegistryPath $registry -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'Export-OptOutList -Force -WhatIf leaves a read-only file read-only' {
        $file = Join-Path $TestDrive 'readonly-whatif.csv'
        Set-Content -LiteralPath $file -Value 'old'
        (Get-Item -LiteralPath $file).IsReadOnly = $true
        Export-OptOutList -Path $file -RegistryPath $registry -Force -WhatIf
        Get-Content -LiteralPath $file | Should -Be 'old'
        (Get-Item -LiteralPath $file).IsReadOnly | Should -BeTrue
    }

    It 'Add-OptOut -WhatIf does not create a registry that did not exist' {
        $missing = if ($OnPostgres) { New-RegistryPath } else { Join-Path $TestDrive 'never-created/registry.db' }
        Add-OptOut -Url 'https://whatif.example/new.jpg' -RegistryPath $missing -WhatIf
        Test-Registry $missing | Should -BeFalse
        if (-not $OnPostgres) { Test-Path -LiteralPath (Split-Path $missing) | Should -BeFalse }
    }
}

Describe "Content claims from the claimant's own files$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $files = @(Get-ChildItem -LiteralPath $Art -Filter '*.png' | Sort-Object Name)
        $claims = @(Add-OptOut -Path (Join-Path $Art 'artwork-0[12].png') -RegistryPath $registry -Reason 'my works' -PassThru)
        $fingerprints = @{}
        foreach ($f in Get-ImageFingerprint -LiteralPath $files.FullName -IncludeEmbedding) { $fingerprints[(Split-Path -Leaf $f.Path)] = $f }
    }

    It 'keys each file (wildcards resolved) by SHA-256 with its perceptual hash, model id and evidence' {
        $claims.Count | Should -Be 2
        foreach ($c in $claims) {
            $name = Split-Path -Leaf $c.EvidenceFile
            $name | Should -BeIn @('artwork-01.png', 'artwork-02.png')
            $sha = (Get-FileHash -LiteralPath $c.EvidenceFile -Algorithm SHA256).Hash.ToLowerInvariant()
            $c.Kind | Should -Be 'Content'
            $c.Target | Should -Be $sha
            $c.EvidenceSha256 | Should -Be $sha
            $c.EvidenceMd5 | Should -Be (Get-FileHash -LiteralPath $c.EvidenceFile -Algorithm MD5).Hash.ToLowerInvariant()
            $c.PerceptualHash | Should -Be $fingerprints[$name].PerceptualHash
            $c.ModelId | Should -Be $fingerprints[$name].Model
            $c.ModelId | Should -Not -BeNullOrEmpty
        }
    }

    It 'returns the 512-float embedding with Get-OptOut -IncludeEmbedding, equal to Get-ImageFingerprint''s' {
        $withVectors = @(Get-OptOut -Kind Content -IncludeEmbedding -RegistryPath $registry)
        $withVectors.Count | Should -Be 2
        foreach ($c in $withVectors) {
            $c.Embedding.GetType() | Should -Be ([float[]])
            $c.Embedding.Length | Should -Be 512
            $expected = $fingerprints[(Split-Path -Leaf $c.EvidenceFile)].Embedding
            [Linq.Enumerable]::SequenceEqual([float[]] $c.Embedding, [float[]] $expected) | Should -BeTrue
        }
        Get-OptOut -Kind Content -RegistryPath $registry | ForEach-Object { $_.Embedding | Should -BeNullOrEmpty }
    }

    It 'leaves the embedding out of -PassThru output (only Get-OptOut -IncludeEmbedding fills it)' {
        # ConsentRecord.Embedding: "Content claims' embedding; filled only with -IncludeEmbedding".
        $claims | ForEach-Object { $_.Embedding | Should -BeNullOrEmpty }
    }

    It 'changes nothing when the same pictures are claimed again' {
        $before = Get-AuditCount $registry
        $again = @(Add-OptOut -LiteralPath (Join-Path $Art 'artwork-01.png'), (Join-Path $Art 'artwork-02.png') -RegistryPath $registry -PassThru)
        ($again.Id | Sort-Object) | Should -Be ($claims.Id | Sort-Object)
        Get-AuditCount $registry | Should -Be $before
    }

    It 'binds Get-ChildItem output to -LiteralPath' {
        $fresh = New-RegistryPath 'piped-files'
        $out = @(Get-ChildItem -LiteralPath $Art -File | Where-Object Name -In 'artwork-01.png', 'artwork-02.png' | Add-OptOut -RegistryPath $fresh -PassThru)
        ($out.Target | Sort-Object) | Should -Be ($claims.Target | Sort-Object)
        Get-ChildItem -LiteralPath $Art -Filter 'artwork-03.png' | Add-OptIn -RegistryPath $fresh
        (Get-OptOut -Decision Grant -RegistryPath $fresh).Kind | Should -Be 'Content'
    }

    It 'matches an altered copy at a new URL (<_>) within the copy thresholds, by the stored hash and embedding' -ForEach @('resize', 'reencode', 'brightness') {
        $claim = Get-OptOut -Kind Content -Decision Refuse -IncludeEmbedding -RegistryPath $registry | Where-Object { $_.EvidenceFile -like '*artwork-01.png' }
        $copy = Get-ImageFingerprint -LiteralPath (Join-Path $Copies "artwork-01-$_.jpg") -IncludeEmbedding
        $copy.Sha256 | Should -Not -Be $claim.Target
        $distance = Get-HashDistance $claim.PerceptualHash $copy.PerceptualHash
        $similarity = Get-Cosine $claim.Embedding $copy.Embedding
        Test-IsCopy $distance $similarity | Should -BeTrue -Because "hash distance $distance, similarity $similarity"
    }

    It 'does not match an unrelated picture' {
        $claim = Get-OptOut -Kind Content -Decision Refuse -IncludeEmbedding -RegistryPath $registry | Where-Object { $_.EvidenceFile -like '*artwork-01.png' }
        $other = $fingerprints['artwork-03.png']
        $distance = Get-HashDistance $claim.PerceptualHash $other.PerceptualHash
        $similarity = Get-Cosine $claim.Embedding $other.Embedding
        Test-IsCopy $distance $similarity | Should -BeFalse -Because "hash distance $distance, similarity $similarity"
    }
}

Describe "Claims from Find-TrainedImage matches$Suffix" -Skip:$NoServer {
    BeforeAll {
        $trainingSet = Join-Path $TestDrive 'trainingset'
        $null = & dotnet (Get-SampleGenerator $ModulePath) trainingset $trainingSet 10 2
        if ($LASTEXITCODE -ne 0) { throw 'the sample training set could not be written' }
        $index = Join-Path $TestDrive 'index.db'
        $null = Import-TrainingSet -Path $trainingSet -Name sample -IndexPath $index -ErrorAction Stop
        $query = Join-Path $Art 'artwork-02.png'
        $allMatches = @(Find-TrainedImage -Path $query -IndexPath $index)
        $copyUrls = @($allMatches | Where-Object MatchKind -In 'Exact', 'Copy' | ForEach-Object Url | Sort-Object -Unique)
    }

    It 'finds the four reposts of artwork-02 the sample training set holds (precondition)' {
        $copyUrls.Count | Should -Be 4
        $copyUrls | ForEach-Object { $_ | Should -BeLike '*/repost/artwork-02-*.jpg' }
    }

    It 'binds Dataset, Key and Url by property name and keeps the query file and the match as evidence' {
        $registry = New-RegistryPath
        $records = @(Find-TrainedImage -Path $query -IndexPath $index | Add-OptOut -RegistryPath $registry -Reason 'found it' -PassThru)
        $records.Count | Should -Be $allMatches.Count
        $sha = (Get-FileHash -LiteralPath $query -Algorithm SHA256).Hash.ToLowerInvariant()
        for ($i = 0; $i -lt $records.Count; $i++) {
            $r = $records[$i]; $m = $allMatches[$i]
            $r.Kind | Should -Be 'Url'
            $r.Target | Should -Be $m.Url
            $r.EvidenceFile | Should -Be $query
            $r.EvidenceSha256 | Should -Be $sha
            $r.MatchedDataset | Should -Be 'sample'
            $r.MatchedKey | Should -Be $m.Key
            $r.MatchedUrl | Should -Be $m.Url
            $r.MatchKind | Should -Be $m.MatchKind
            $r.Similarity | Should -Be $m.Similarity
            $r.HashDistance | Should -Be $m.HashDistance
        }
        (Get-OptOut -RegistryPath $registry | ForEach-Object { ConvertTo-Comparable $_ }) | Should -Be ($records | ForEach-Object { ConvertTo-Comparable $_ })
    }

    It 'claims every Exact or Copy row of the picture with -IncludeCopies, even from Find-TrainedImage -Top 1' {
        $registry = New-RegistryPath
        Find-TrainedImage -Path $query -IndexPath $index -Top 1 | Add-OptOut -IncludeCopies -IndexPath $index -RegistryPath $registry
        $claimed = @(Get-OptOut -RegistryPath $registry)
        ($claimed.Target | Sort-Object) | Should -Be $copyUrls
        $claimed | ForEach-Object { $_.EvidenceFile | Should -Be $query; $_.MatchKind | Should -BeIn 'Exact', 'Copy'; $_.MatchedKey | Should -Not -BeNullOrEmpty }
    }

    It 'emits each record once with -IncludeCopies -PassThru' {
        $registry = New-RegistryPath
        $out = @(Find-TrainedImage -Path $query -IndexPath $index -Top 1 | Add-OptOut -IncludeCopies -IndexPath $index -RegistryPath $registry -PassThru)
        @(Get-OptOut -RegistryPath $registry).Count | Should -Be 4
        $out.Count | Should -Be 4 -Because "the row Find-TrainedImage returned is also one of its copies; got $($out.Target -join ', ')"
    }

    It 'runs the help''s example: Get-ChildItem | Find-TrainedImage | Add-OptOut -IncludeCopies' {
        $registry = New-RegistryPath
        $expected = @(Get-ChildItem -LiteralPath $Art -File | Find-TrainedImage -IndexPath $index | Where-Object MatchKind -In 'Exact', 'Copy' | ForEach-Object Url | Sort-Object -Unique)
        Get-ChildItem -LiteralPath $Art -File | Find-TrainedImage -IndexPath $index | Add-OptOut -IncludeCopies -IndexPath $index -Reason 'my portfolio' -RegistryPath $registry
        $claimed = @(Get-OptOut -RegistryPath $registry)
        ($claimed.Target | Sort-Object) | Should -Be $expected
        $claimed.Target | Should -Contain ($copyUrls[0])
        $claimed | ForEach-Object { $_.Reason | Should -Be 'my portfolio'; $_.EvidenceSha256 | Should -Not -BeNullOrEmpty }
    }

    It 'claims the content and every copy of piped files with -IncludeCopies' {
        $registry = New-RegistryPath
        Get-Item -LiteralPath $query | Add-OptOut -IncludeCopies -IndexPath $index -RegistryPath $registry
        @(Get-OptOut -Kind Content -RegistryPath $registry).Count | Should -Be 1
        (@(Get-OptOut -Kind Url -RegistryPath $registry).Target | Sort-Object) | Should -Be $copyUrls
    }

    It 'claims the content and every copy with -Path -IncludeCopies' {
        $registry = New-RegistryPath
        $out = @(Add-OptOut -Path $query -IncludeCopies -IndexPath $index -RegistryPath $registry -PassThru)
        @(Get-OptOut -Kind Content -RegistryPath $registry).Count | Should -Be 1
        (@(Get-OptOut -Kind Url -RegistryPath $registry).Target | Sort-Object) | Should -Be $copyUrls
    }
}

Describe "Get-OptOut$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        1..1500 | ForEach-Object { 'https://bulk.example/{0}.jpg' -f $_ } | Add-OptOut -RegistryPath $registry -Claimant 'Bulk Owner'
        $a = Add-OptOut -Url 'https://www.example.com/a.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        $b = Add-OptIn -Url 'https://deep.cdn.example.com/b.jpg' -Claimant 'John Roe' -RegistryPath $registry -PassThru
        $c = Add-OptOut -Url 'https://notexample.com/c.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        $d = Add-OptOut -Domain 'example.com' -Claimant 'Studio X' -RegistryPath $registry -PassThru
        Start-Sleep -Milliseconds 50
        $cut = Get-Date
        Start-Sleep -Milliseconds 50
        $g = Add-OptOut -Url 'https://example.com/g.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        Remove-OptOut -Id $c.Id -Reason 'gone' -RegistryPath $registry -Confirm:$false
    }

    It 'returns every active record, with no cap' {
        @(Get-OptOut -RegistryPath $registry).Count | Should -Be 1504
        @(Get-OptOut -Claimant 'Bulk Owner' -RegistryPath $registry).Count | Should -Be 1500
    }

    It 'filters by -Id (revoked ones included), -Claimant, -Kind and -Decision' {
        (Get-OptOut -Id $c.Id -RegistryPath $registry).Status | Should -Be 'Revoked'
        (@(Get-OptOut -Id $a.Id, $b.Id -RegistryPath $registry).Id | Sort-Object) | Should -Be (@($a.Id, $b.Id) | Sort-Object)
        (@(Get-OptOut -Claimant 'jane doe' -RegistryPath $registry).Id) | Should -Be @($a.Id, $g.Id)
        (Get-OptOut -Kind Domain -RegistryPath $registry).Id | Should -Be $d.Id
        (Get-OptOut -Decision Grant -RegistryPath $registry).Id | Should -Be $b.Id
        $a | Get-OptOut -RegistryPath $registry | ForEach-Object Id | Should -Be $a.Id
    }

    It 'filters by -Url after normalising it' {
        (Get-OptOut -Url 'HTTPS://WWW.Example.COM:443/a.jpg#x' -RegistryPath $registry).Id | Should -Be $a.Id
        Get-OptOut -Url 'https://www.example.com/A.jpg' -RegistryPath $registry | Should -BeNullOrEmpty
    }

    It 'filters by -Domain with its subdomains, not look-alikes' {
        (@(Get-OptOut -Domain 'Example.com' -RegistryPath $registry).Id | Sort-Object) | Should -Be (@($a.Id, $b.Id, $d.Id, $g.Id) | Sort-Object)
        (Get-OptOut -Domain 'cdn.example.com' -RegistryPath $registry).Id | Should -Be $b.Id
    }

    It 'filters by -Since and adds revoked records with -IncludeRevoked' {
        (Get-OptOut -Since $cut -RegistryPath $registry).Id | Should -Be $g.Id
        (Get-OptOut -Since $cut.ToUniversalTime() -RegistryPath $registry).Id | Should -Be $g.Id
        @(Get-OptOut -IncludeRevoked -RegistryPath $registry).Count | Should -Be 1505
        $revoked = Get-OptOut -IncludeRevoked -Claimant 'Jane Doe' -RegistryPath $registry | Where-Object Status -EQ 'Revoked'
        $revoked.Id | Should -Be $c.Id
    }

    It 'has a default table view of 4 to 6 columns' {
        $view = Get-FormatData -TypeName 'OptOut.ConsentRecord' | ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        $view | Should -Not -BeNullOrEmpty
        $view.Control.Headers.Count | Should -BeGreaterOrEqual 4
        $view.Control.Headers.Count | Should -BeLessOrEqual 6
        $text = Get-OptOut -Id $a.Id -RegistryPath $registry | Format-Table | Out-String -Width 200
        $text | Should -Match 'Decision\s+Kind\s+Status'
        $text | Should -Match 'Target'
        $text | Should -Not -Match 'EvidenceSha256'
    }

    It 'outputs flat objects that survive ConvertTo-Json and Export-Csv' {
        $record = Get-OptOut -Id $a.Id -RegistryPath $registry
        ($record | ConvertTo-Json | ConvertFrom-Json).Target | Should -Be $record.Target
        $csv = Join-Path $TestDrive 'records.csv'
        Get-OptOut -Claimant 'Jane Doe' -RegistryPath $registry | Export-Csv -LiteralPath $csv
        (Import-Csv -LiteralPath $csv).Id | Should -Be @($a.Id, $g.Id)
    }
}

Describe "Get-OptOut and Export-OptOutList share their record filters (issue 18, D1)$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $a = Add-OptOut -Url 'https://www.example.com/a.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        $null = Add-OptIn -Url 'https://cdn.example.com/b.jpg' -Claimant 'John Roe' -RegistryPath $registry -PassThru
        $c = Add-OptOut -Url 'https://other.example.org/c.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        $null = Add-OptOut -Domain 'example.com' -Claimant 'Studio X' -RegistryPath $registry -PassThru
        Start-Sleep -Milliseconds 50
        $cut = Get-Date
        Start-Sleep -Milliseconds 50
        $null = Add-OptOut -Url 'https://example.com/e.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        Remove-OptOut -Id $c.Id -Reason 'gone' -RegistryPath $registry -Confirm:$false

        # The ids each command selects with the same filters (an export's are read back from its CSV).
        function Get-SelectedIds([hashtable] $Filter) {
            $listed = @(Get-OptOut @Filter -RegistryPath $registry | ForEach-Object Id | Sort-Object)
            $file = Join-Path $TestDrive ('filters-{0}.csv' -f [guid]::NewGuid().ToString('N'))
            Export-OptOutList -LiteralPath $file @Filter -RegistryPath $registry
            $exported = @(Import-Csv -LiteralPath $file | ForEach-Object id | Sort-Object)
            [pscustomobject]@{ Listed = $listed; Exported = $exported }
        }

        function Get-ValidationError([scriptblock] $Command) {
            try { & $Command; $null } catch { $_ }
        }
    }

    It 'refuses an empty -<Name> in both, with the same error' -ForEach @(
        @{ Name = 'Claimant' }
        @{ Name = 'Domain' }
    ) {
        $arguments = @{ $Name = ''; RegistryPath = $registry }
        $listError = Get-ValidationError { Get-OptOut @arguments }
        $exportError = Get-ValidationError { Export-OptOutList -LiteralPath (Join-Path $TestDrive 'never.csv') @arguments }
        $listError | Should -Not -BeNullOrEmpty
        $exportError | Should -Not -BeNullOrEmpty
        ($listError.FullyQualifiedErrorId -split ',')[0] | Should -Be 'ParameterArgumentValidationError'
        ($exportError.FullyQualifiedErrorId -split ',')[0] | Should -Be 'ParameterArgumentValidationError'
        $listError.Exception.Message | Should -Be $exportError.Exception.Message
        $listError.Exception.Message | Should -Match $Name
        Join-Path $TestDrive 'never.csv' | Should -Not -Exist
    }

    It 'selects the same records for <Label>' -ForEach @(
        @{ Label = 'no filter'; Filter = @{} }
        @{ Label = '-Claimant with a wildcard'; Filter = @{ Claimant = 'jane*' } }
        @{ Label = '-Kind'; Filter = @{ Kind = 'Domain' } }
        @{ Label = '-Decision'; Filter = @{ Decision = 'Grant' } }
        @{ Label = '-Url'; Filter = @{ Url = @('HTTPS://WWW.Example.COM/a.jpg', 'https://example.com/e.jpg') } }
        @{ Label = '-Domain'; Filter = @{ Domain = 'example.com' } }
        @{ Label = '-Since'; Filter = @{ Since = 'CUT' } }
        @{ Label = '-IncludeRevoked with -Claimant'; Filter = @{ Claimant = 'Jane Doe'; IncludeRevoked = $true } }
        @{ Label = '-Domain with -Decision'; Filter = @{ Domain = 'example.com'; Decision = 'Refuse' } }
    ) {
        $given = $Filter.Clone()
        if ($given.Since -eq 'CUT') { $given.Since = $cut }
        $selected = Get-SelectedIds $given
        $selected.Listed.Count | Should -BeGreaterThan 0
        $selected.Exported | Should -Be $selected.Listed
    }

    It 'reads -Url the same way in both (one record by its normalised URL)' {
        $selected = Get-SelectedIds @{ Url = 'https://WWW.example.com:443/a.jpg#top' }
        $selected.Listed | Should -Be @($a.Id)
        $selected.Exported | Should -Be @($a.Id)
    }
}

Describe "Remove-OptOut$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $records = @(1..4 | ForEach-Object { "https://remove.example/$_.jpg" } | Add-OptOut -RegistryPath $registry -PassThru)
    }

    It 'declares ConfirmImpact High and supports ShouldProcess' {
        $attribute = (Get-Command Remove-OptOut).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
        $attribute.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::High)
        $attribute.SupportsShouldProcess | Should -BeTrue
        (Get-Command Remove-OptOut).Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'asks for confirmation by default (a non-interactive host cannot prompt, so nothing is revoked)' {
        $id = $records[3].Id
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$ConfirmPreference = 'High'
try { Remove-OptOut -Id '$id' -RegistryPath '$registry' -Reason 'unconfirmed'; `$outcome = 'revoked without asking' }
catch { `$outcome = `$_.Exception.Message }
Write-Result @{ Outcome = `$outcome; Status = (Get-OptOut -Id '$id' -RegistryPath '$registry').Status }
"@
        $result.Outcome | Should -Match 'NonInteractive|prompt'
        $result.Status | Should -Be 'Active'
    }

    It 'revokes by id with -Reason: the record stays, revoked, and the revocation is audited' {
        $r = $records[0]
        $before = Get-Date
        $out = Remove-OptOut -Id $r.Id -Reason 'not my work' -RegistryPath $registry -Confirm:$false -PassThru
        $out.Id | Should -Be $r.Id
        $out.Status | Should -Be 'Revoked'
        $out.RevokedReason | Should -Be 'not my work'
        $out.RevokedBy | Should -Be ([Environment]::UserName)
        $out.RevokedAt.Kind | Should -Be 'Utc'
        $out.RevokedAt | Should -BeGreaterOrEqual $before.ToUniversalTime().AddSeconds(-1)
        $out.Target | Should -Be $r.Target
        $out.CreatedAt | Should -Be $r.CreatedAt
        (Get-OptOut -RegistryPath $registry).Id | Should -Not -Contain $r.Id
        (Get-OptOut -IncludeRevoked -RegistryPath $registry).Id | Should -Contain $r.Id
        $audit = @(Get-OptOutHistory -Id $r.Id -RegistryPath $registry)
        $audit.Action | Should -Be @('AddOptOut', 'Revoke')
        $audit[1].Reason | Should -Be 'not my work'
    }

    It 'revokes from the pipeline (Get-OptOut output binds -Id)' {
        Get-OptOut -Url 'https://remove.example/2.jpg' -RegistryPath $registry | Remove-OptOut -Reason 'piped' -RegistryPath $registry -Confirm:$false
        (Get-OptOut -Id $records[1].Id -RegistryPath $registry).RevokedReason | Should -Be 'piped'
    }

    It 'warns about a record already revoked and writes nothing' {
        $before = Get-AuditCount $registry
        Remove-OptOut -Id $records[0].Id -RegistryPath $registry -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        Get-AuditCount $registry | Should -Be $before
    }

    It 'reports an unknown id as OptOut.RecordNotFound' {
        $unknown = [guid]::NewGuid().ToString()
        Remove-OptOut -Id $unknown -RegistryPath $registry -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.RecordNotFound*'
        $problems[0].TargetObject | Should -Be $unknown
    }

    It 'lets the same URL be claimed again after revocation, as a new record' {
        $new = Add-OptOut -Url $records[0].Target -RegistryPath $registry -PassThru
        $new.Id | Should -Not -Be $records[0].Id
        $new.Status | Should -Be 'Active'
        @(Get-OptOut -Url $records[0].Target -IncludeRevoked -RegistryPath $registry).Count | Should -Be 2
    }
}

Describe "Export-OptOutList and Import-OptOutList$Suffix" -Skip:$NoServer {
    BeforeAll {
        $source = New-RegistryPath 'source'
        Add-OptOut -Url 'https://share.example/a.jpg' -Claimant 'Jane Doe' -Reason 'found, "copied"; ünïcödé' -RegistryPath $source
        Add-OptOut -Url 'https://share.example/b.jpg', 'https://share.example/c.jpg' -Claimant 'John Roe' -RegistryPath $source
        Add-OptIn -Domain 'licensed.example.org' -Claimant 'Studio X' -Reason 'licensed' -RegistryPath $source
        Add-OptOut -LiteralPath (Join-Path $Art 'artwork-01.png') -Claimant 'Jane Doe' -Reason 'my painting' -RegistryPath $source
        Get-OptOut -Url 'https://share.example/c.jpg' -RegistryPath $source | Remove-OptOut -Reason 'withdrawn' -RegistryPath $source -Confirm:$false
        $expected = @(Get-OptOut -IncludeRevoked -IncludeEmbedding -RegistryPath $source)
        $expectedActive = @(Get-OptOut -IncludeEmbedding -RegistryPath $source)
    }

    It 'round-trips every record through <_> into a fresh registry (-IncludeRevoked)' -ForEach @('Csv', 'Json', 'Parquet') {
        $file = Join-Path $TestDrive "roundtrip.$($_.ToLowerInvariant())"
        $info = Export-OptOutList -Path $file -IncludeRevoked -RegistryPath $source -PassThru
        $info | Should -BeOfType [System.IO.FileInfo]
        $info.FullName | Should -Be $file
        $fresh = New-RegistryPath 'fresh'
        # Revocations in a list are applied only with -IncludeRevocations, as the importer's own.
        $result = Import-OptOutList -Path $file -RegistryPath $fresh -IncludeRevocations
        $result.Records | Should -Be $expected.Count
        $result.Added | Should -Be $expected.Count
        $result.Skipped | Should -Be 0
        $result.Conflicts | Should -BeNullOrEmpty
        $imported = @(Get-OptOut -IncludeRevoked -IncludeEmbedding -RegistryPath $fresh)
        $withoutRevocation = { $copy = $_ | Select-Object -Property *; $copy.RevokedAt = $null; $copy.RevokedReason = $null; ConvertTo-Comparable $copy }
        ($imported | ForEach-Object $withoutRevocation) | Should -Be ($expected | ForEach-Object $withoutRevocation)
        $revoked = $imported | Where-Object Status -EQ 'Revoked'
        $revoked.RevokedBy | Should -Be ([Environment]::UserName)
        $revoked.RevokedReason | Should -Match ([regex]::Escape($file))
        $revoked.RevokedReason | Should -Match 'withdrawn'
        ($imported | Where-Object Status -EQ 'Active' | ForEach-Object { ConvertTo-Comparable $_ }) | Should -Be ($expected | Where-Object Status -EQ 'Active' | ForEach-Object { ConvertTo-Comparable $_ })
        $imported.Origin | Sort-Object -Unique | Should -Be (Split-Path -Leaf $file)
        (Get-OptOut -Url 'https://share.example/c.jpg' -IncludeRevoked -RegistryPath $fresh).Status | Should -Be 'Revoked'
        @(Get-OptOutHistory -Action Import -RegistryPath $fresh).Count | Should -Be $expected.Count
        Get-ChildItem -LiteralPath $TestDrive -Filter '*.tmp' -Force | Should -BeNullOrEmpty
    }

    It 'leaves revoked records out without -IncludeRevoked (<_>)' -ForEach @('Csv', 'Json', 'Parquet') {
        $file = Join-Path $TestDrive "active.$($_.ToLowerInvariant())"
        Export-OptOutList -Path $file -RegistryPath $source
        $fresh = New-RegistryPath 'fresh'
        (Import-OptOutList -Path $file -RegistryPath $fresh).Added | Should -Be $expectedActive.Count
        (Get-OptOut -IncludeRevoked -IncludeEmbedding -RegistryPath $fresh | ForEach-Object { ConvertTo-Comparable $_ }) | Should -Be ($expectedActive | ForEach-Object { ConvertTo-Comparable $_ })
    }

    It 'exports the active URL refusals as a URL list and imports them as refusals of -Claimant' {
        $file = Join-Path $TestDrive 'blocked.txt'
        Export-OptOutList -Path $file -RegistryPath $source
        Get-Content -LiteralPath $file | Should -Be @('https://share.example/a.jpg', 'https://share.example/b.jpg')
        $fresh = New-RegistryPath 'fresh'
        (Import-OptOutList -Path $file -Claimant 'List Owner' -RegistryPath $fresh).Added | Should -Be 2
        $imported = @(Get-OptOut -RegistryPath $fresh)
        $imported.Claimant | Sort-Object -Unique | Should -Be 'List Owner'
        $imported.Decision | Sort-Object -Unique | Should -Be 'Refuse'
        # -Format overrides the extension.
        $odd = Join-Path $TestDrive 'blocked.list'
        Export-OptOutList -Path $odd -Format UrlList -RegistryPath $source
        Get-Content -LiteralPath $odd | Should -Be @('https://share.example/a.jpg', 'https://share.example/b.jpg')
    }

    It 'writes parquet that DuckDB reads (column names, types, rows)' {
        $node = Get-Command node -ErrorAction SilentlyContinue
        $npm = Get-Command npm -ErrorAction SilentlyContinue
        if (-not $node -or -not $npm) { Set-ItResult -Skipped -Because 'node and npm are not installed'; return }
        $duckdb = Join-Path ([IO.Path]::GetTempPath()) 'optout-tests-duckdb-node'
        $api = Join-Path $duckdb 'node_modules/@duckdb/node-api'
        if (-not (Test-Path -LiteralPath $api)) {
            $null = New-Item -ItemType Directory -Path $duckdb -Force
            $log = & npm install --prefix $duckdb --no-audit --no-fund --silent '@duckdb/node-api' 2>&1
            if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $api)) { Set-ItResult -Skipped -Because "npm could not install @duckdb/node-api: $log"; return }
        }
        $file = Join-Path $TestDrive 'duck.parquet'
        Export-OptOutList -Path $file -IncludeRevoked -RegistryPath $source
        $script = Join-Path $TestDrive 'read-parquet.js'
        Set-Content -LiteralPath $script -Value @'
const { DuckDBInstance } = require(process.argv[2]);
(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const file = process.argv[3].replace(/'/g, "''");
  const columns = await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`);
  const rows = await connection.runAndReadAll(`SELECT id, decision, kind, target, claimant, status, perceptual_hash, octet_length(embedding) AS embedding_bytes FROM read_parquet('${file}')`);
  console.log(JSON.stringify({ columns: columns.getRowObjectsJson(), rows: rows.getRowObjectsJson() }));
})().catch(e => { console.error(e); process.exit(1); });
'@
        $json = & node $script $api $file
        $LASTEXITCODE | Should -Be 0
        $read = $json | ConvertFrom-Json
        $read.columns.column_name | Should -Be @('id', 'decision', 'kind', 'target', 'claimant', 'reason', 'created_at', 'status', 'revoked_at', 'revoked_by', 'revoked_reason', 'perceptual_hash', 'model_id', 'embedding', 'evidence', 'origin')
        ($read.columns | Where-Object column_name -EQ 'embedding').column_type | Should -Be 'BLOB'
        $read.rows.Count | Should -Be $expected.Count
        ($read.rows.id | Sort-Object) | Should -Be ($expected.Id | Sort-Object)
        $content = $read.rows | Where-Object kind -EQ 'Content'
        [int] $content.embedding_bytes | Should -Be 2048
        $content.perceptual_hash | Should -Be ($expected | Where-Object Kind -EQ 'Content').PerceptualHash
    }

    It 'refuses to overwrite with -NoClobber' {
        $file = Join-Path $TestDrive 'noclobber.json'
        Set-Content -LiteralPath $file -Value 'keep me'
        { Export-OptOutList -Path $file -NoClobber -RegistryPath $source -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.FileExists*'
        Get-Content -LiteralPath $file | Should -Be 'keep me'
    }

    It 'refuses a read-only file without -Force and replaces it whole with -Force' {
        $file = Join-Path $TestDrive 'readonly.csv'
        Set-Content -LiteralPath $file -Value (@('old') * 10000)
        (Get-Item -LiteralPath $file).IsReadOnly = $true
        { Export-OptOutList -Path $file -RegistryPath $source -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.FileReadOnly*'
        @(Get-Content -LiteralPath $file).Count | Should -Be 10000
        Export-OptOutList -Path $file -Force -RegistryPath $source
        $lines = @(Get-Content -LiteralPath $file)
        $lines[0] | Should -BeLike 'id,decision,kind,target,*'
        $lines | Should -Not -Contain 'old'
        Get-ChildItem -LiteralPath $TestDrive -Filter '.readonly.csv*' -Force | Should -BeNullOrEmpty
    }

    It 'replaces an existing file whole' {
        $file = Join-Path $TestDrive 'replace.json'
        Set-Content -LiteralPath $file -Value ('x' * 200000)
        Export-OptOutList -Path $file -RegistryPath $source
        $text = Get-Content -LiteralPath $file -Raw
        $text | Should -Not -Match 'xxx'
        @($text | ConvertFrom-Json).Count | Should -Be $expectedActive.Count
    }

    It 'skips what is already there when the same list is imported again, and reports conflicts' {
        $file = Join-Path $TestDrive 'merge.json'
        Export-OptOutList -Path $file -IncludeRevoked -RegistryPath $source
        $target = New-RegistryPath 'target'
        # The target already has a refusal where the list has a grant.
        Add-OptOut -Domain 'licensed.example.org' -Claimant 'Refuser' -RegistryPath $target
        $first = Import-OptOutList -Path $file -RegistryPath $target -IncludeRevocations -WarningVariable warnings -WarningAction SilentlyContinue
        $first.Added | Should -Be $expected.Count
        $first.Conflicts.Count | Should -Be 1
        $first.Conflicts[0] | Should -Match 'contradicts'
        $warnings.Count | Should -Be 1
        $auditAfterFirst = Get-AuditCount $target
        $second = Import-OptOutList -Path $file -RegistryPath $target -IncludeRevocations
        $second.Added | Should -Be 0
        $second.Skipped | Should -Be $expected.Count
        Get-AuditCount $target | Should -Be $auditAfterFirst

        # One id with different content: kept as it is here, reported.
        $records = Get-Content -LiteralPath $file -Raw | ConvertFrom-Json
        $records[0].target = 'https://changed.example/other.jpg'
        $changed = Join-Path $TestDrive 'changed.json'
        ConvertTo-Json -InputObject @($records) -Depth 5 | Set-Content -LiteralPath $changed
        $third = Import-OptOutList -Path $changed -RegistryPath $target -WarningAction SilentlyContinue
        $third.Added | Should -Be 0
        $third.Conflicts.Count | Should -Be 1
        $third.Conflicts[0] | Should -Match ([regex]::Escape($records[0].id))
        (Get-OptOut -Id $records[0].id -RegistryPath $target).Target | Should -Not -Be 'https://changed.example/other.jpg'
    }

    It 'takes FileInfo from the pipeline' {
        $file = Join-Path $TestDrive 'piped.csv'
        Export-OptOutList -Path $file -RegistryPath $source
        $fresh = New-RegistryPath 'fresh'
        (Get-Item -LiteralPath $file | Import-OptOutList -RegistryPath $fresh).Added | Should -Be $expectedActive.Count
    }
}

Describe "Import-OptOutList rejects a malformed list whole$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        Add-OptOut -Url 'https://existing.example/1.jpg' -RegistryPath $registry
        $good = Join-Path $TestDrive 'good.csv'
        $source = New-RegistryPath 'malformed-source'
        1..4 | ForEach-Object { "https://list.example/$_.jpg" } | Add-OptOut -RegistryPath $source -Claimant 'Jane Doe'
        Export-OptOutList -Path $good -RegistryPath $source
        $goodLines = @(Get-Content -LiteralPath $good)
        $goodJson = Join-Path $TestDrive 'good.json'
        Export-OptOutList -Path $goodJson -RegistryPath $source

        function Set-Field([string] $Line, [int] $Index, [string] $Value) {
            $fields = $Line.Split(','); $fields[$Index] = $Value; $fields -join ','
        }
        $cases = @(
            @{ Name = 'bad-enum.csv'; Where = 'line 3'; Text = ($goodLines[0..1] + (Set-Field $goodLines[2] 1 'Maybe') + $goodLines[3..4]) -join "`n" }
            @{ Name = 'unclosed.csv'; Where = 'line 4'; Text = ($goodLines[0..2] + (Set-Field $goodLines[3] 4 '"Jane Doe') + $goodLines[4]) -join "`n" }
            @{ Name = 'fields.csv'; Where = 'line 3'; Text = ($goodLines[0..1] + ($goodLines[2] + ',extra') + $goodLines[3..4]) -join "`n" }
            @{ Name = 'syntax.json'; Where = 'line 3'; Text = "[`n{`"id`": `"$([guid]::NewGuid())`"`n `"decision`": `"Refuse`"}`n]" }
            @{ Name = 'not-a-guid.json'; Where = 'record 2'; Text = (Get-Content -LiteralPath $goodJson -Raw) -replace ('"id":"' + (Get-OptOut -RegistryPath $source)[1].Id + '"'), '"id":"claim-two"' }
            @{ Name = 'random.parquet'; Where = 'file'; Bytes = $true }
            @{ Name = 'urls.txt'; Where = 'line 3'; Text = "https://ok.example/1.jpg`n# comment`nthis is not a url`nhttps://ok.example/2.jpg" }
        )
        foreach ($case in $cases) {
            $path = Join-Path $TestDrive $case.Name
            if ($case.Bytes) { $bytes = [byte[]]::new(2048); [Random]::new(11).NextBytes($bytes); [IO.File]::WriteAllBytes($path, $bytes) }
            else { [IO.File]::WriteAllText($path, $case.Text) }
        }
        $stateBefore = @(Get-OptOut -IncludeRevoked -RegistryPath $registry).Count, (Get-AuditCount $registry)
    }

    It 'rejects <Name> with OptOut.MalformedList naming <Where>, importing nothing' -ForEach @(
        @{ Name = 'bad-enum.csv'; Where = 'line 3' }
        @{ Name = 'unclosed.csv'; Where = 'line 4' }
        @{ Name = 'fields.csv'; Where = 'line 3' }
        @{ Name = 'syntax.json'; Where = 'line 3' }
        @{ Name = 'not-a-guid.json'; Where = 'record 2' }
        @{ Name = 'random.parquet'; Where = 'file' }
        @{ Name = 'urls.txt'; Where = 'line 3' }
    ) {
        $path = Join-Path $TestDrive $Name
        $result = Import-OptOutList -Path $path -RegistryPath $registry -ErrorVariable problems -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.MalformedList*'
        $problems[0].Exception.Message | Should -Match ([regex]::Escape("($Where"))
        $problems[0].Exception.Message | Should -Match 'nothing was imported'
        $problems[0].TargetObject | Should -Be $path
        @(Get-OptOut -IncludeRevoked -RegistryPath $registry).Count, (Get-AuditCount $registry) | Should -Be $stateBefore
    }

    It 'goes on to the next file after a malformed one' {
        $fresh = New-RegistryPath 'next'
        $results = @(Import-OptOutList -Path (Join-Path $TestDrive 'bad-enum.csv'), $good -RegistryPath $fresh -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 1
        $results[0].Added | Should -Be 4
    }
}

Describe "Get-OptOutHistory$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath
        $a = Add-OptOut -Url 'https://history.example/a.jpg' -Reason 'first' -RegistryPath $registry -PassThru
        Start-Sleep -Milliseconds 50
        $cut = Get-Date
        Start-Sleep -Milliseconds 50
        $b = Add-OptIn -Url 'https://history.example/b.jpg' -RegistryPath $registry -PassThru
        Remove-OptOut -Id $a.Id -Reason 'second thoughts' -RegistryPath $registry -Confirm:$false
    }

    It 'shows every change in order, migrations first' {
        $all = @(Get-OptOutHistory -RegistryPath $registry)
        # The file's schema came in four steps; PostgreSQL's in two (its version 1 holds the file's four; docs/registry.md).
        $migrations = if ($OnPostgres) { 2 } else { 4 }
        $all.Action | Should -Be (@('Migrate') * $migrations + @('AddOptOut', 'AddOptIn', 'Revoke'))
        $all.Sequence | Should -Be ($all.Sequence | Sort-Object)
        $all | ForEach-Object { $_.At.Kind | Should -Be 'Utc'; $_.User | Should -Be ([Environment]::UserName) }
        $all[0].GetType().FullName | Should -Be 'OptOut.OptOutAuditEntry'
    }

    It 'filters by -Id, also from the pipeline' {
        (Get-OptOutHistory -Id $a.Id -RegistryPath $registry).Action | Should -Be @('AddOptOut', 'Revoke')
        (Get-OptOut -Id $a.Id -RegistryPath $registry | Get-OptOutHistory -RegistryPath $registry).Reason | Should -Be @('first', 'second thoughts')
    }

    It 'filters by -Since and -Action' {
        (Get-OptOutHistory -Since $cut -RegistryPath $registry).Action | Should -Be @('AddOptIn', 'Revoke')
        (Get-OptOutHistory -Action revoke -RegistryPath $registry).RecordId | Should -Be $a.Id
        (Get-OptOutHistory -Action AddOptIn -RegistryPath $registry).RecordId | Should -Be $b.Id
        # PostgreSQL's schema has its own numbering: its version 1 holds the file's versions 1-4.
        $steps = if ($OnPostgres) { @('schema 0 -> 1', 'schema 1 -> 2') } else { @('schema 0 -> 1', 'schema 1 -> 2', 'schema 2 -> 3', 'schema 3 -> 4') }
        @(Get-OptOutHistory -Action Migrate -RegistryPath $registry).Detail | Should -Be $steps
    }

    It 'has a default table view of 4 to 6 columns' {
        $view = Get-FormatData -TypeName 'OptOut.OptOutAuditEntry' | ForEach-Object FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        $view.Control.Headers.Count | Should -BeGreaterOrEqual 4
        $view.Control.Headers.Count | Should -BeLessOrEqual 6
    }
}

Describe "Domain claims are a host or nothing (issue 12, item 5)$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath 'domains'
        Add-OptOut -Url 'https://seed.example/a.jpg' -RegistryPath $registry
    }

    It '<Command> -Domain ex.example/path is refused with advice and records nothing' -ForEach @(
        @{ Command = 'Add-OptOut' }
        @{ Command = 'Add-OptIn' }
    ) {
        $before = @(Get-OptOut -IncludeRevoked -RegistryPath $registry).Count
        & $Command -Domain 'ex.example/path', 'ex.example:8080', 'jane@ex.example' -RegistryPath $registry -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 3
        $problems | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'OptOut.InvalidClaim*' }
        $problems[0].TargetObject | Should -Be 'ex.example/path'
        $problems[0].Exception.Message | Should -Match '-Url'
        @(Get-OptOut -IncludeRevoked -RegistryPath $registry).Count | Should -Be $before
    }

    It 'records a site address given as a domain as its host, with a warning' {
        $record = Add-OptOut -Domain 'https://Site.Example/' -RegistryPath $registry -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $record.Target | Should -Be 'site.example'
        $record.Kind | Should -Be 'Domain'
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match "'site.example'"
        (Get-OptOut -Domain 'site.example' -RegistryPath $registry).Id | Should -Be $record.Id
    }

    It 'rejects a list whose domain record has a path, at its line, importing nothing' {
        $list = Join-Path $TestDrive 'domain-path.csv'
        Set-Content -LiteralPath $list -Value @('id,decision,kind,target,claimant,created_at', "$([guid]::CreateVersion7()),Refuse,Domain,list.example/path,Jane,2024-01-01T00:00:00Z")
        $fresh = New-RegistryPath 'domain-import'
        Import-OptOutList -Path $list -RegistryPath $fresh -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.MalformedList*'
        $problems[0].Exception.Message | Should -Match 'line 2'
        Test-Registry $fresh | Should -BeFalse
    }

    It 'refuses Get-OptOut -Domain text that names no host' {
        { Get-OptOut -Domain 'not a domain' -RegistryPath $registry -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.InvalidDomain*'
    }
}

Describe "Export-OptOutList never writes over a database (issue 12, item 6)$Suffix" -Skip:($NoServer -or $FileOnly) {
    BeforeAll {
        $folder = Join-Path $TestDrive 'guarded'
        $null = New-Item -ItemType Directory -Path $folder
        $registry = Join-Path $folder 'registry.db'
        Add-OptOut -Url 'https://guard.example/a.jpg' -RegistryPath $registry
        $other = New-RegistryPath 'other-registry'
        Add-OptOut -Url 'https://guard.example/b.jpg' -RegistryPath $other
        $link = Join-Path $TestDrive 'registry-link.json'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $registry
        function Get-Fingerprint([string] $Path) { '{0}|{1}' -f (Get-FileHash -LiteralPath $Path).Hash, (Get-Item -LiteralPath $Path).LastWriteTimeUtc.Ticks }
    }

    It 'refuses <Name> with OptOut.UnsafeOutputPath and leaves the registry as it was' -ForEach @(
        @{ Name = 'the registry in use'; Target = { $registry } }
        @{ Name = 'a symbolic link to it'; Target = { $link } }
        @{ Name = 'a path through ..'; Target = { Join-Path $folder '../guarded/./registry.db' } }
        @{ Name = 'its -wal file'; Target = { "$registry-wal" } }
        @{ Name = 'another SQLite file'; Target = { $other } }
    ) {
        $target = & $Target
        $before = Get-Fingerprint $registry
        $otherBefore = Get-Fingerprint $other
        { Export-OptOutList -Path $target -Format Json -RegistryPath $registry -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath*'
        Get-Fingerprint $registry | Should -Be $before
        Get-Fingerprint $other | Should -Be $otherBefore
        (Get-OptOut -RegistryPath $registry).Target | Should -Be 'https://guard.example/a.jpg'
    }

    It 'refuses the default registry and index under OPTOUT_HOME whatever -RegistryPath says' {
        $savedHome = $env:OPTOUT_HOME
        $env:OPTOUT_HOME = $folder
        try {
            { Export-OptOutList -Path (Join-Path $folder 'registry.db') -Format Csv -RegistryPath $other -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath*'
            { Export-OptOutList -Path (Join-Path $folder 'index.db') -Format Csv -RegistryPath $other -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnsafeOutputPath*'
            Test-Path -LiteralPath (Join-Path $folder 'index.db') | Should -BeFalse
        }
        finally { $env:OPTOUT_HOME = $savedHome }
    }
}

Describe "Export-OptOutList exports what it is given (issue 12, item 8)$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath 'shared'
        $jane = @(Add-OptOut -Url 'https://jane.example/1.jpg', 'https://jane.example/2.jpg' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru)
        $john = @(Add-OptOut -Url 'https://john.example/1.jpg' -Claimant 'John Roe' -RegistryPath $registry -PassThru)
        $jane += Add-OptIn -Domain 'jane.example' -Claimant 'Jane Doe' -RegistryPath $registry -PassThru
        $john += Add-OptOut -Domain 'john.example' -Claimant 'John Roe' -RegistryPath $registry -PassThru
        Remove-OptOut -Id $jane[1].Id -RegistryPath $registry -Confirm:$false
        function Read-ListIds([string] $Path) { @(Import-Csv -LiteralPath $Path | ForEach-Object id) }
    }

    It 'exports exactly the records piped in, in order, without binding errors' {
        $file = Join-Path $TestDrive 'jane.csv'
        Get-OptOut -Claimant 'Jane Doe' -RegistryPath $registry | Export-OptOutList $file -RegistryPath $registry -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        Read-ListIds $file | Should -Be @($jane[0].Id, $jane[2].Id)
        $reversed = Join-Path $TestDrive 'reversed.json'
        $john[1], $jane[1], $john[0] | Export-OptOutList $reversed -RegistryPath $registry
        (Get-Content -LiteralPath $reversed -Raw | ConvertFrom-Json).id | Should -Be @($john[1].Id, $jane[1].Id, $john[0].Id)
    }

    It 'has the filters of Get-OptOut: -Claimant, -Kind, -Decision, -Domain, -Url, -Since, -IncludeRevoked' {
        $file = Join-Path $TestDrive 'filtered.csv'
        Export-OptOutList $file -Claimant 'jane doe' -RegistryPath $registry
        Read-ListIds $file | Should -Be @($jane[0].Id, $jane[2].Id)
        Export-OptOutList $file -Claimant 'Jane Doe' -IncludeRevoked -RegistryPath $registry
        Read-ListIds $file | Should -Be @($jane[0].Id, $jane[1].Id, $jane[2].Id)
        Export-OptOutList $file -Kind Domain -RegistryPath $registry
        Read-ListIds $file | Should -Be @($jane[2].Id, $john[1].Id)
        Export-OptOutList $file -Decision Grant -RegistryPath $registry
        Read-ListIds $file | Should -Be @($jane[2].Id)
        Export-OptOutList $file -Domain 'john.example' -RegistryPath $registry
        Read-ListIds $file | Should -Be @($john[0].Id, $john[1].Id)
        Export-OptOutList $file -Url 'HTTPS://JOHN.EXAMPLE/1.jpg' -RegistryPath $registry
        Read-ListIds $file | Should -Be @($john[0].Id)
        Export-OptOutList $file -Since ($john[1].CreatedAt) -RegistryPath $registry
        Read-ListIds $file | Should -Be @($john[1].Id)
    }

    It 'writes an empty list, with a warning, when the pipeline brings nothing' {
        $file = Join-Path $TestDrive 'nothing.csv'
        @() | Export-OptOutList $file -RegistryPath $registry -WarningVariable warnings -WarningAction SilentlyContinue
        @(Read-ListIds $file).Count | Should -Be 0
        $warnings.Count | Should -Be 1
        Get-OptOut -Claimant 'Nobody' -RegistryPath $registry | Export-OptOutList $file -RegistryPath $registry -WarningAction SilentlyContinue
        @(Read-ListIds $file).Count | Should -Be 0
        (Get-Content -LiteralPath $file -First 1) | Should -BeLike 'id,decision,*'
    }

    It 'exports the whole registry (active records) with no pipeline and no filters' {
        $file = Join-Path $TestDrive 'everything.csv'
        Export-OptOutList $file -RegistryPath $registry
        Read-ListIds $file | Should -Be @($jane[0].Id, $john[0].Id, $jane[2].Id, $john[1].Id)
    }

    It 'writes nothing when a piped record is not in the registry' {
        $elsewhere = New-RegistryPath 'elsewhere'
        $stranger = Add-OptOut -Url 'https://stranger.example/1.jpg' -RegistryPath $elsewhere -PassThru
        $file = Join-Path $TestDrive 'mixed.csv'
        { $jane[0], $stranger | Export-OptOutList $file -RegistryPath $registry -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.RecordNotFound*'
        Test-Path -LiteralPath $file | Should -BeFalse
    }
}

Describe "Only OptOut registries are opened, and reads never write (issue 12, item 9)$Suffix" -Skip:($NoServer -or $FileOnly) {
    BeforeAll {
        function Get-Fingerprint([string] $Path) { '{0}|{1}' -f (Get-FileHash -LiteralPath $Path).Hash, (Get-Item -LiteralPath $Path).LastWriteTimeUtc.Ticks }
        function Get-Siblings([string] $Path) { @(Get-ChildItem -LiteralPath (Split-Path $Path) -Force | Where-Object Name -Like "$(Split-Path -Leaf $Path)*").Name -join ',' }
        $commands = @(
            @{ Name = 'Get-OptOut'; Run = { param($p) Get-OptOut -RegistryPath $p -ErrorAction Stop } }
            @{ Name = 'Get-OptOutHistory'; Run = { param($p) Get-OptOutHistory -RegistryPath $p -ErrorAction Stop } }
            @{ Name = 'Export-OptOutList'; Run = { param($p) Export-OptOutList (Join-Path $TestDrive 'foreign-export.csv') -RegistryPath $p -ErrorAction Stop } }
            @{ Name = 'Add-OptOut'; Run = { param($p) Add-OptOut -Url 'https://foreign.example/a.jpg' -RegistryPath $p -ErrorAction Stop } }
            @{ Name = 'Remove-OptOut'; Run = { param($p) Remove-OptOut -Id ([guid]::CreateVersion7()) -RegistryPath $p -Confirm:$false -ErrorAction Stop } }
            @{ Name = 'Import-OptOutList'; Run = { param($p) $l = Join-Path $TestDrive 'foreign-list.txt'; Set-Content $l 'https://foreign.example/b.jpg'; Import-OptOutList $l -RegistryPath $p -ErrorAction Stop } }
        )
    }

    It 'refuses <Kind> untouched, naming it, in every registry command' -ForEach @(
        @{ Kind = 'another program''s SQLite database' }
        @{ Kind = 'another program''s WAL database' }
        @{ Kind = 'a text file' }
        @{ Kind = 'an empty file' }
    ) {
        $path = Join-Path $TestDrive ("foreign-{0}.db" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        switch -Wildcard ($Kind) {
            '*SQLite database' { if (-not (New-ForeignSqliteDatabase -Path $path)) { Set-ItResult -Skipped -Because 'neither sqlite3 nor python3 is installed'; return } }
            '*WAL database' { if (-not (New-ForeignSqliteDatabase -Path $path -Wal)) { Set-ItResult -Skipped -Because 'neither sqlite3 nor python3 is installed'; return } }
            'a text file' { Set-Content -LiteralPath $path -Value 'claims,revocations,audit' }
            'an empty file' { $null = New-Item -ItemType File -Path $path }
        }
        (Get-Item -LiteralPath $path).LastWriteTimeUtc = [datetime]::SpecifyKind([datetime]'2020-01-02T03:04:05', 'Utc')
        $before = Get-Fingerprint $path
        $siblings = Get-Siblings $path
        foreach ($command in $commands) {
            $thrown = $null
            try { & $command.Run $path } catch { $thrown = $_ }
            $thrown | Should -Not -BeNullOrEmpty -Because $command.Name
            $thrown.FullyQualifiedErrorId | Should -BeLike 'OptOut.NotARegistry*' -Because $command.Name
            $thrown.Exception.Message | Should -Match ([regex]::Escape($path)) -Because $command.Name
            Get-Fingerprint $path | Should -Be $before -Because $command.Name
            Get-Siblings $path | Should -Be $siblings -Because $command.Name
        }
    }

    It 'Test-TrainingSet refuses a file that is not a registry the same way, and reads a registry without writing to it' {
        $path = Join-Path $TestDrive 'gate-foreign.db'
        Set-Content -LiteralPath $path -Value 'claims,revocations,audit'
        $before = Get-Fingerprint $path
        { Test-TrainingSet $Art -RegistryPath $path -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.NotARegistry*'
        Get-Fingerprint $path | Should -Be $before
        Get-Siblings $path | Should -Be 'gate-foreign.db'

        $registry = New-RegistryPath 'gate-read-only'
        Add-OptOut -LiteralPath (Join-Path $Art 'artwork-01.png') -RegistryPath $registry
        $auditBefore = Get-AuditCount $registry
        $fingerprint = Get-Fingerprint $registry
        Test-TrainingSet $Art -RegistryPath $registry -Quiet | Should -BeFalse
        Get-AuditCount $registry | Should -Be $auditBefore
        Get-Fingerprint $registry | Should -Be $fingerprint
    }

    It 'reads a registry without writing to it: no audit row, no migration, the file unchanged' {
        $registry = New-RegistryPath 'read-only'
        Add-OptOut -Url 'https://ro.example/a.jpg' -RegistryPath $registry
        $auditBefore = Get-AuditCount $registry
        $before = Get-Fingerprint $registry
        (Get-OptOut -RegistryPath $registry).Target | Should -Be 'https://ro.example/a.jpg'
        Export-OptOutList (Join-Path $TestDrive 'ro.csv') -RegistryPath $registry
        Get-AuditCount $registry | Should -Be $auditBefore
        Get-Fingerprint $registry | Should -Be $before
    }
}

Describe "Import-OptOutList and the revocations a list carries (issue 12, item 10)$Suffix" -Skip:$NoServer {
    BeforeAll {
        $source = New-RegistryPath 'revoking-source'
        $claim = Add-OptOut -Url 'https://jane.example/art.jpg' -Claimant 'Jane Doe' -RegistryPath $source -PassThru
        $first = Join-Path $TestDrive 'before-revocation.json'
        Export-OptOutList $first -RegistryPath $source
        Remove-OptOut -Id $claim.Id -Reason 'list says so' -RegistryPath $source -Confirm:$false
        # The list as someone else publishes it: revoked, with no revoker named.
        $list = Join-Path $TestDrive 'revoking-list.json'
        Export-OptOutList $list -IncludeRevoked -RegistryPath $source
        $records = Get-Content -LiteralPath $list -Raw | ConvertFrom-Json
        $records[0].PSObject.Properties.Remove('revokedBy')
        ConvertTo-Json -InputObject @($records) -Depth 5 | Set-Content -LiteralPath $list
    }

    It 'skips and counts revoked records without -IncludeRevocations: the local claim stays active' {
        $registry = New-RegistryPath 'revoking-target'
        (Import-OptOutList $first -RegistryPath $registry).Added | Should -Be 1
        $audit = Get-AuditCount $registry
        $result = Import-OptOutList $list -RegistryPath $registry -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Revoked | Should -Be 0
        $result.RevokedNotApplied | Should -Be 1
        (Get-OptOut -Id $claim.Id -RegistryPath $registry).Status | Should -Be 'Active'
        @($warnings.Message | Where-Object { $_ -like 'Revoked in list, not applied: 1*' }).Count | Should -Be 1
        Get-AuditCount $registry | Should -Be $audit
        # A fresh registry does not take the revoked record either.
        $fresh = New-RegistryPath 'revoking-fresh'
        (Import-OptOutList $list -RegistryPath $fresh -WarningAction SilentlyContinue).Added | Should -Be 0
    }

    It 'with -IncludeRevocations revokes as the importer, naming the list, never as the claimant' {
        $registry = New-RegistryPath 'revoking-target'
        $null = Import-OptOutList $first -RegistryPath $registry
        (Import-OptOutList $list -RegistryPath $registry -IncludeRevocations).Revoked | Should -Be 1
        $revoked = Get-OptOut -Id $claim.Id -RegistryPath $registry
        $revoked.Status | Should -Be 'Revoked'
        $revoked.RevokedBy | Should -Be ([Environment]::UserName)
        $revoked.RevokedBy | Should -Not -Be 'Jane Doe'
        $revoked.RevokedReason | Should -Match ([regex]::Escape($list))
        $revoked.RevokedReason | Should -Match 'list says so'
        $entry = Get-OptOutHistory -Id $claim.Id -Action ImportRevoke -RegistryPath $registry
        $entry.User | Should -Be ([Environment]::UserName)
        $entry.Detail | Should -Match ([regex]::Escape($list))
    }
}

Describe "Export-OptOutList temporary files (issue 12, item 14)$Suffix" -Skip:$NoServer {
    BeforeAll {
        $registry = New-RegistryPath 'temporary'
        Add-OptOut -Url 'https://tmp.example/a.jpg' -RegistryPath $registry
    }

    It 'removes what a killed export to the same path left behind' {
        $folder = Join-Path $TestDrive 'exports'
        $null = New-Item -ItemType Directory -Path $folder -Force
        $leftover = Join-Path $folder ('.list.csv.{0}.tmp' -f [guid]::NewGuid().ToString('N'))
        Set-Content -LiteralPath $leftover -Value 'id,decision,kind,tar'
        Export-OptOutList (Join-Path $folder 'list.csv') -RegistryPath $registry
        Test-Path -LiteralPath $leftover | Should -BeFalse
        @(Get-ChildItem -LiteralPath $folder -Force).Name | Should -Be @('list.csv')
    }

    It 'names the user''s path, not the temporary file, when the export fails' {
        $target = Join-Path $TestDrive 'no-such-folder/list.csv'
        $thrown = $null
        try { Export-OptOutList $target -RegistryPath $registry -ErrorAction Stop } catch { $thrown = $_ }
        $thrown | Should -Not -BeNullOrEmpty
        $thrown.FullyQualifiedErrorId | Should -BeLike 'OptOut.ExportFailed*'
        $thrown.Exception.Message | Should -Match ([regex]::Escape($target))
        $thrown.Exception.Message | Should -Not -Match '\.tmp'
        $thrown.TargetObject | Should -Be $target
    }
}
