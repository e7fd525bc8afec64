# Find-TrainedImage against one index built in BeforeAll from real files: the sample img2dataset
# shard ('sample': strangers and altered re-posts of the artist's works), the artist's own files as
# a folder dataset ('portfolio': exact copies) and a small img2dataset JSON shard with chosen URLs
# ('urls'). Expected rows come from the sample's own .json files, not from the module.
param([string] $ModulePath)

BeforeDiscovery {
    # The generator's alterations (src/OptOut.Samples/Alteration.cs); the sample re-posts four of
    # them per work, so each appears twice among the 16 re-posts.
    $alterations = @('reencode', 'resize', 'crop', 'pad', 'watermark', 'gray', 'rotate', 'brightness') | ForEach-Object { @{ Alteration = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    $sample = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'sample')
    $artist = Join-Path $TestDrive 'portfolio'
    $artistFiles = @(New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $artist -Count 4)

    # What the sample holds, read from its img2dataset .json files (one per downloaded image).
    $sampleRows = @(Get-ChildItem -LiteralPath (Join-Path $sample '00000') -Filter '*.json' | Sort-Object Name |
            ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json })
    $reposts = @($sampleRows | Where-Object url -Like '*/repost/*' | ForEach-Object {
            $null = $_.url -match '/repost/artwork-(\d\d)-(\w+)\.jpg$'
            [pscustomobject]@{ Work = [int] $Matches[1]; Alteration = $Matches[2]; Url = $_.url; Key = $_.key; Caption = $_.caption; Width = $_.width; Height = $_.height }
        })

    # Chosen URLs: subdomains, a lookalike domain, a port, an upper-case host, a tilde.
    $strangerImages = @(Get-ChildItem -LiteralPath (Join-Path $sample '00000') -Filter '*.jpg' | Sort-Object Name | Select-Object -First 8)
    $urlRows = @(
        @{ Url = 'https://www.example.com/~artist/work.jpg'; Caption = 'tilde path' }
        @{ Url = 'https://example.com/b.jpg'; Caption = 'apex host' }
        @{ Url = 'https://cdn.img.example.com/c.jpg'; Caption = 'deep subdomain' }
        @{ Url = 'https://notexample.com/d.jpg'; Caption = 'lookalike' }
        @{ Url = 'https://example.com.evil.example/e.jpg'; Caption = 'suffix lookalike' }
        @{ Url = 'http://example.com:8080/f.jpg'; Caption = 'other port' }
        @{ Url = 'https://Example.COM/Path/Case.jpg'; Caption = 'upper-case host' }
        @{ Url = 'https://example.org/g.jpg'; Caption = 'other tld' }
    )
    for ($i = 0; $i -lt $urlRows.Count; $i++) { $urlRows[$i].Image = $strangerImages[$i].FullName }
    $urls = New-Img2DatasetJsonShard -Destination (Join-Path $TestDrive 'urls') -Rows $urlRows

    $index = Join-Path $TestDrive 'index.db'
    $imports = @(
        Import-TrainingSet -Path $sample.FullName -IndexPath $index
        Import-TrainingSet -Path $artist -IndexPath $index
        Import-TrainingSet -Path $urls.FullName -IndexPath $index
    )

    # One image search over the artist's files shared by several tests, and one with every row
    # above similarity 0 for the figures the copy tests report.
    $imageErrors = $null
    $byImage = @(Get-ChildItem -LiteralPath $artist -File | Find-TrainedImage -IndexPath $index -ErrorVariable imageErrors)
    $everything = @($artistFiles | Find-TrainedImage -IndexPath $index -IncludeSimilar -MinimumSimilarity 0)

    function Get-Observed {
        # "similarity S, hash distance D" of a re-post to its work's query, from the -IncludeSimilar run.
        param([object] $Repost)
        $query = $artistFiles[$Repost.Work - 1].FullName
        $row = $everything | Where-Object { $_.Query -eq $query -and $_.Url -eq $Repost.Url } | Select-Object -First 1
        if ($row) { "$($row.MatchKind), similarity $($row.Similarity), hash distance $($row.HashDistance)" } else { 'not returned even with -IncludeSimilar -MinimumSimilarity 0' }
    }
}

Describe 'The index under test' {
    It 'holds the three datasets' {
        $imports.Rows | Should -Be @(56, 4, 8)
        $reposts.Count | Should -Be 16
        @(Get-TrainingSet -IndexPath $index).Name | Sort-Object | Should -Be @('portfolio', 'sample', 'urls')
    }
}

Describe 'Find-TrainedImage by image' {
    It 'writes OptOut.TrainedImageMatch objects with every documented property' {
        $imageErrors | Should -BeNullOrEmpty
        $byImage.Count | Should -BeGreaterThan 0
        $names = 'Query', 'QuerySha256', 'Dataset', 'Key', 'Url', 'Caption', 'Width', 'Height', 'MatchKind', 'Similarity', 'HashDistance', 'Sha256'
        foreach ($match in $byImage) {
            $match | Should -BeOfType 'OptOut.TrainedImageMatch'
            foreach ($name in $names) { $match.PSObject.Properties.Name | Should -Contain $name }
        }
    }

    It 'gives each result the query''s full path and SHA-256' {
        foreach ($file in $artistFiles) {
            $results = @($byImage | Where-Object Query -EQ $file.FullName)
            $results.Count | Should -BeGreaterThan 0 -Because "$($file.Name) has an exact copy and re-posts in the index"
            $sha = (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
            foreach ($r in $results) { $r.QuerySha256 | Should -BeExactly $sha }
        }
        @($byImage.Query | Sort-Object -Unique) | Should -Be @($artistFiles.FullName)
    }

    It 'resolves a relative -Path with wildcards to full paths in Query' {
        Push-Location -LiteralPath $artist
        try { $relative = @(Find-TrainedImage -Path 'artwork-0[12].png' -IndexPath $index -Top 1) }
        finally { Pop-Location }
        $relative.Query | Should -Be @($artistFiles[0].FullName, $artistFiles[1].FullName)
    }

    It 'finds the identical file in the folder dataset as Exact, first' {
        foreach ($file in $artistFiles) {
            $results = @($byImage | Where-Object Query -EQ $file.FullName)
            $exact = @($results | Where-Object MatchKind -EQ 'Exact')
            $exact.Count | Should -Be 1
            $results[0].MatchKind | Should -Be 'Exact'
            $exact[0].Dataset | Should -Be 'portfolio'
            $exact[0].Url | Should -Be $file.FullName
            $exact[0].Key | Should -Be $file.Name
            $exact[0].HashDistance | Should -Be 0
            $exact[0].Similarity | Should -BeGreaterOrEqual 0.999
            $exact[0].Sha256 | Should -BeExactly $exact[0].QuerySha256
            $exact[0].Width | Should -Be 320
            $exact[0].Height | Should -Be 240
        }
    }

    It 'finds every <Alteration> re-post in the sample as a Copy of its work' -ForEach $alterations {
        $ofKind = @($reposts | Where-Object Alteration -EQ $Alteration)
        $ofKind.Count | Should -Be 2
        $missed = foreach ($repost in $ofKind) {
            $query = $artistFiles[$repost.Work - 1].FullName
            $hit = $byImage | Where-Object { $_.Query -eq $query -and $_.Url -eq $repost.Url -and $_.MatchKind -eq 'Copy' }
            if (-not $hit) { "artwork-{0:00}-{1} ({2})" -f $repost.Work, $Alteration, (Get-Observed $repost) }
        }
        # Known limitation, measured in docs/copy-detection.md: a watermark band can spoil enough of a
        # small picture that its copy is not verified (calibrated Watermark recall 0.89; issue 13 is open
        # on it). At least one of the pair must still be found, and the test reports itself skipped,
        # visibly, instead of passing. Rotated copies are found by the default's turned views.
        if ($missed -and $Alteration -eq 'watermark') {
            @($missed).Count | Should -BeLessThan 2 -Because 'one of the two re-posts is found'
            Set-ItResult -Skipped -Because "known copy-rule limitation (docs/copy-detection.md): missed $($missed -join '; ')"
            return
        }
        $missed | Should -BeNullOrEmpty -Because "each re-post should be found as a Copy; missed: $($missed -join '; ')"
    }

    # Every search already turns each picture by -4 and 4 degrees (CopyMatcher.CalibratedViewAngles), the
    # samples' rotation: -IncludeRotated's further turns (-6, -3, 3, 6) keep what they find and lose no ground
    # on it; -IncludeCropped's centre cuts bring the crop re-posts closer.
    It 'finds the <Alteration> re-posts with -<Switch>, keeping everything found without it' -TestCases @(
        @{ Alteration = 'rotate'; Switch = 'IncludeRotated'; Closer = $false }
        @{ Alteration = 'crop'; Switch = 'IncludeCropped'; Closer = $true }
    ) {
        param($Alteration, $Switch, $Closer)
        $views = @{ $Switch = $true }
        $viewed = @($artistFiles | Find-TrainedImage -IndexPath $index @views)
        $altered = @($reposts | Where-Object Alteration -EQ $Alteration)
        $altered.Count | Should -BeGreaterThan 0
        foreach ($repost in $altered) {
            $query = $artistFiles[$repost.Work - 1].FullName
            $hit = @($viewed | Where-Object { $_.Query -eq $query -and $_.Url -eq $repost.Url })
            $hit.MatchKind | Should -Be 'Copy' -Because "$($repost.Url) is the work altered ($Alteration; $(Get-Observed $repost) without the views)"
            # Found without the views too: then the views must have brought it closer.
            $plain = @($byImage | Where-Object { $_.Query -eq $query -and $_.Url -eq $repost.Url })
            if ($plain -and $Closer) {
                $hit[0].Similarity | Should -BeGreaterThan ($plain[0].Similarity + 0.005) -Because "the $Switch views should bring $($repost.Url) closer"
            }
            elseif ($plain) {
                $hit[0].Similarity | Should -BeGreaterOrEqual ($plain[0].Similarity - 1e-6) -Because "the $Switch views keep $($repost.Url)'s best similarity"
            }
        }
        foreach ($row in $byImage) {
            @($viewed | Where-Object { $_.Query -eq $row.Query -and $_.Url -eq $row.Url -and $_.MatchKind -eq $row.MatchKind }).Count | Should -Be 1
        }
    }

    It 'reports the re-post''s own row: dataset, key, caption and size from the sample''s metadata' {
        foreach ($repost in $reposts) {
            $hit = $byImage | Where-Object { $_.Url -eq $repost.Url } | Select-Object -First 1
            if (-not $hit) { continue }   # a missed re-post fails the test above
            $hit.Dataset | Should -Be 'sample'
            $hit.Key | Should -Be $repost.Key
            $hit.Caption | Should -Be $repost.Caption
            $hit.Width | Should -Be $repost.Width
            $hit.Height | Should -Be $repost.Height
            $hit.Query | Should -Be $artistFiles[$repost.Work - 1].FullName
            $hit.Similarity | Should -BeGreaterThan 0
            $hit.HashDistance | Should -BeGreaterOrEqual 0
        }
    }

    It 'reports no unrelated picture as Exact or Copy' {
        foreach ($match in $byImage) {
            $work = [int] ([System.IO.Path]::GetFileNameWithoutExtension($match.Query) -replace '^artwork-', '')
            if ($match.Dataset -eq 'portfolio') { $match.Url | Should -Be $match.Query; continue }
            $match.Url | Should -BeLike ('https://*/repost/artwork-{0:00}-*.jpg' -f $work) -Because "$($match.Query) matched $($match.Url) as $($match.MatchKind)"
        }
    }

    It 'orders each query''s results Exact, then Copy by similarity, best first' {
        foreach ($file in $artistFiles) {
            $results = @($byImage | Where-Object Query -EQ $file.FullName)
            $kinds = @($results.MatchKind)
            $kinds | Should -Be @($kinds | Sort-Object { @('Exact', 'Copy', 'Similar').IndexOf($_) } -Stable)
            $copies = @($results | Where-Object MatchKind -EQ 'Copy')
            @($copies.Similarity) | Should -Be @($copies.Similarity | Sort-Object -Descending -Stable)
        }
    }

    It 'streams results query by query, in input order, and reports a corrupt query without stopping' {
        $corrupt = Join-Path $TestDrive 'corrupt.png'
        Set-Content -LiteralPath $corrupt -Value 'not a picture'
        $order = @($artistFiles[3].FullName, $artistFiles[1].FullName, $corrupt, $artistFiles[2].FullName, $artistFiles[0].FullName)
        $errors = $null
        $results = @(Find-TrainedImage -LiteralPath $order -IndexPath $index -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageDecodeFailed*'
        $errors[0].TargetObject | Should -Be $corrupt
        # Each query's results form one block, the blocks in input order.
        $blocks = [System.Collections.Generic.List[string]]::new()
        foreach ($r in $results) { if ($blocks.Count -eq 0 -or $blocks[-1] -ne $r.Query) { $blocks.Add($r.Query) } }
        @($blocks) | Should -Be @($order | Where-Object { $_ -ne $corrupt })
    }

    It 'caps the results per query with -Top' {
        $top = @($artistFiles | Find-TrainedImage -IndexPath $index -Top 2)
        foreach ($file in $artistFiles) {
            $mine = @($top | Where-Object Query -EQ $file.FullName)
            $mine.Count | Should -Be 2
            $all = @($byImage | Where-Object Query -EQ $file.FullName)
            $mine.Url | Should -Be @($all[0..1].Url)
        }
    }

    It 'keeps to one dataset with -Dataset' {
        $inSample = @($artistFiles | Find-TrainedImage -IndexPath $index -Dataset sample)
        $inSample.Count | Should -BeGreaterThan 0
        $inSample.Dataset | Sort-Object -Unique | Should -Be 'sample'
        $inSample.MatchKind | Should -Not -Contain 'Exact'
        $inPortfolio = @($artistFiles | Find-TrainedImage -IndexPath $index -Dataset portfolio)
        $inPortfolio.Count | Should -Be 4
        $inPortfolio.MatchKind | Sort-Object -Unique | Should -Be 'Exact'
        # A mistyped dataset is an error that lists those there, never silence (issue 14).
        { $artistFiles | Find-TrainedImage -IndexPath $index -Dataset 'no-such-dataset' -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.UnknownDataset*'
    }

    It 'adds Similar rows at or above -MinimumSimilarity with -IncludeSimilar, and none without it' {
        $byImage.MatchKind | Should -Not -Contain 'Similar'
        $similar = @($artistFiles | Find-TrainedImage -IndexPath $index -IncludeSimilar -MinimumSimilarity 0.5)
        $extra = @($similar | Where-Object MatchKind -EQ 'Similar')
        $extra.Count | Should -BeGreaterThan 0
        foreach ($row in $extra) { $row.Similarity | Should -BeGreaterOrEqual 0.5 }
        # Everything found without the switch is still there, with the same kind.
        foreach ($row in $byImage) {
            @($similar | Where-Object { $_.Query -eq $row.Query -and $_.Url -eq $row.Url -and $_.MatchKind -eq $row.MatchKind }).Count | Should -Be 1
        }
        # A higher floor keeps a subset.
        $fewer = @($artistFiles | Find-TrainedImage -IndexPath $index -IncludeSimilar -MinimumSimilarity 0.8 | Where-Object MatchKind -EQ 'Similar')
        $fewer.Count | Should -BeLessThan $extra.Count
        foreach ($row in $fewer) { $row.Similarity | Should -BeGreaterOrEqual 0.8 }
    }

    It 'stops with OptOut.IndexNotFound when the index does not exist' {
        { Find-TrainedImage -LiteralPath $artistFiles[0].FullName -IndexPath (Join-Path $TestDrive 'none.db') -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'OptOut.IndexNotFound*'
        { Find-TrainedImage -Text 'jane' -IndexPath (Join-Path $TestDrive 'none.db') } | Should -Throw -ErrorId 'OptOut.IndexNotFound*'
        Test-Path -LiteralPath (Join-Path $TestDrive 'none.db') | Should -BeFalse
    }
}

Describe 'Find-TrainedImage -Text' {
    BeforeAll {
        function Get-ExpectedCaptions {
            # Sample captions containing every word (a trailing * makes a prefix), as the unicode61 tokenizer splits them.
            param([string[]] $Words)
            @($sampleRows | Where-Object {
                    $tokens = @(($_.caption.ToLowerInvariant() -split '[^\p{L}\p{N}]+') | Where-Object { $_ })
                    $all = $true
                    foreach ($word in $Words) {
                        $w = $word.ToLowerInvariant()
                        $hit = if ($w.EndsWith('*')) { @($tokens | Where-Object { $_.StartsWith($w.TrimEnd('*')) }).Count -gt 0 } else { $tokens -contains $w }
                        if (-not $hit) { $all = $false }
                    }
                    $all
                } | ForEach-Object caption)
        }
    }

    It 'finds every caption with all the words: <Query>' -ForEach @(
        @{ Query = 'jane doe'; Words = @('jane', 'doe'); Count = 16 }
        @{ Query = 'Artwork 1'; Words = @('artwork', '1'); Count = 4 }
        @{ Query = 'harb*'; Words = @('harb*'); Count = 4 }
        @{ Query = 'stock image'; Words = @('stock', 'image'); Count = 40 }
        @{ Query = 'jane watermark'; Words = @('jane', 'watermark'); Count = 2 }
    ) {
        $expected = Get-ExpectedCaptions $Words
        $expected.Count | Should -Be $Count
        $found = @(Find-TrainedImage -Text $Query -IndexPath $index -Dataset sample)
        @($found.Caption | Sort-Object) | Should -Be @($expected | Sort-Object)
        foreach ($row in $found) {
            $row.MatchKind | Should -Be 'Caption'
            $row.Query | Should -Be $Query
            $row.QuerySha256 | Should -BeNullOrEmpty
        }
    }

    It 'matches a "quoted phrase" in order only' {
        @(Find-TrainedImage -Text '"jane doe"' -IndexPath $index).Count | Should -Be 16
        @(Find-TrainedImage -Text '"doe jane"' -IndexPath $index) | Should -BeNullOrEmpty
        $phrase = @(Find-TrainedImage -Text '"over the harbour"' -IndexPath $index)
        $phrase.Count | Should -Be 4
        foreach ($row in $phrase) { $row.Caption | Should -BeLike '*over the harbour*' }
    }

    It 'returns the best matches first (Similarity descending)' {
        # BM25: the one-word caption 'lookalike' ranks above 'suffix lookalike'.
        $found = @(Find-TrainedImage -Text 'lookalike' -IndexPath $index)
        $found.Caption | Should -Be @('lookalike', 'suffix lookalike')
        $found[0].Similarity | Should -BeGreaterThan $found[1].Similarity
        $many = @(Find-TrainedImage -Text 'stock image' -IndexPath $index)
        $many.Count | Should -Be 40
        @($many.Similarity) | Should -Be @($many.Similarity | Sort-Object -Descending -Stable)
    }

    It 'reports a positive relevance for every caption match, also for words in most captions' {
        # 'stock' and 'image' are in 40 of the 68 captions, so FTS5's BM25 scores are tiny, but the
        # results are still ranked (shortest caption first) and a match is never of relevance 0.
        $many = @(Find-TrainedImage -Text 'stock image' -IndexPath $index)
        $zero = @($many | Where-Object { -not ($_.Similarity -gt 0) })
        $zero.Count | Should -Be 0 -Because "$($zero.Count) of $($many.Count) matches have Similarity $(@($zero.Similarity | Sort-Object -Unique) -join ', ')"
    }

    It 'caps the results with -Top, keeping the best' {
        $all = @(Find-TrainedImage -Text 'stock image' -IndexPath $index)
        $top = @(Find-TrainedImage -Text 'stock image' -IndexPath $index -Top 3)
        $top.Count | Should -Be 3
        $top.Key | Should -Be @($all[0..2].Key)
    }

    It 'keeps to one dataset with -Dataset' {
        @(Find-TrainedImage -Text 'lookalike' -IndexPath $index).Dataset | Should -Be @('urls', 'urls')
        @(Find-TrainedImage -Text 'lookalike' -IndexPath $index -Dataset sample) | Should -BeNullOrEmpty
    }

    It 'does not throw on FTS5 syntax in the text: <Query>' -ForEach @(
        @{ Query = 'AND OR ( " *' }
        @{ Query = 'jane AND doe' }
        @{ Query = 'NOT jane' }
        @{ Query = 'caption:jane' }
        @{ Query = '-doe' }
        @{ Query = 'jane NEAR(doe)' }
        @{ Query = '"unterminated phrase' }
        @{ Query = '*' }
        @{ Query = '^jane' }
        @{ Query = "jane's {doe} [x]" }
        @{ Query = ')))' }
    ) {
        $errors = $null
        { $script:textResult = @(Find-TrainedImage -Text $Query -IndexPath $index -ErrorVariable errors -ErrorAction Stop) } | Should -Not -Throw
        $errors | Should -BeNullOrEmpty
        foreach ($row in $script:textResult) { $row.MatchKind | Should -Be 'Caption' }
    }

    It 'refuses a text over the limits with the non-terminating OptOut.TextQueryTooLarge and searches the next text' {
        $errors = $null
        $huge = 'photo ' * 1000
        $found = @(Find-TrainedImage -Text $huge, 'lookalike' -Top 5 -IndexPath $index -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.TextQueryTooLarge*'
        $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errors[0].Exception.Message | Should -BeLike '*6,000 characters*1,000 characters and 64 distinct terms*'
        $found.Query | Should -Be @('lookalike', 'lookalike')
        $errors = $null
        $null = Find-TrainedImage -Text ((1..65 | ForEach-Object { "w$_" }) -join ' ') -IndexPath $index -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.TextQueryTooLarge*'
    }

    It 'finds the same rows, order and relevance for a word typed many times as for the word typed once' {
        $once = @(Find-TrainedImage -Text 'lookalike' -IndexPath $index)
        $many = @(Find-TrainedImage -Text ('lookalike ' * 90) -Top 5 -IndexPath $index)
        $many.Key | Should -Be $once.Key
        for ($i = 0; $i -lt $once.Count; $i++) {
            $many[$i].Similarity | Should -BeGreaterThan ($once[$i].Similarity * 89.99)
            $many[$i].Similarity | Should -BeLessThan ($once[$i].Similarity * 90.01)
        }
    }
}

Describe 'Find-TrainedImage -Url' {
    It 'finds <Query>' -ForEach @(
        @{ Query = 'https://www.example.com/~artist/work.jpg'; Stored = 'https://www.example.com/~artist/work.jpg' }
        @{ Query = 'HTTPS://WWW.EXAMPLE.COM/~artist/work.jpg'; Stored = 'https://www.example.com/~artist/work.jpg' }
        @{ Query = 'https://www.example.com:443/~artist/work.jpg'; Stored = 'https://www.example.com/~artist/work.jpg' }
        @{ Query = 'https://www.example.com/%7Eartist/work.jpg'; Stored = 'https://www.example.com/~artist/work.jpg' }
        @{ Query = 'https://www.example.com/%7eartist/work.jpg'; Stored = 'https://www.example.com/~artist/work.jpg' }
        @{ Query = 'https://example.com/%62.jpg'; Stored = 'https://example.com/b.jpg' }
        @{ Query = 'https://example.com/b.jpg#fragment'; Stored = 'https://example.com/b.jpg' }
        @{ Query = 'https://example.com/Path/Case.jpg'; Stored = 'https://Example.COM/Path/Case.jpg' }
        @{ Query = 'http://EXAMPLE.com:8080/f.jpg'; Stored = 'http://example.com:8080/f.jpg' }
        @{ Query = 'https://cdn.stockpix.example:443/photos/0000.jpg'; Stored = 'https://cdn.stockpix.example/photos/0000.jpg' }
    ) {
        $found = @(Find-TrainedImage -Url $Query -IndexPath $index)
        $found.Count | Should -Be 1
        $found[0].Url | Should -BeExactly $Stored
        $found[0].MatchKind | Should -Be 'Url'
        $found[0].Query | Should -BeExactly $Query
    }

    It 'does not find <Query> (<Why>)' -ForEach @(
        @{ Query = 'https://example.com/path/case.jpg'; Why = 'the path keeps its case' }
        @{ Query = 'http://example.com/f.jpg'; Why = 'port 8080 is not the default' }
        @{ Query = 'https://www.example.com/%7Eartist/work.jpg?x=1'; Why = 'another query string' }
        @{ Query = 'https://notexample.com/b.jpg'; Why = 'another host' }
    ) {
        @(Find-TrainedImage -Url $Query -IndexPath $index) | Should -BeNullOrEmpty
    }

    It 'binds Url from piped objects by property name, query by query' {
        $found = @(
            [pscustomobject]@{ Url = 'https://example.com/b.jpg' }
            [pscustomobject]@{ Url = 'https://nowhere.example/none.jpg' }
            [pscustomobject]@{ Url = 'HTTPS://NOTEXAMPLE.COM/d.jpg' }
        ) | Find-TrainedImage -IndexPath $index
        @($found.Url) | Should -Be @('https://example.com/b.jpg', 'https://notexample.com/d.jpg')
        @($found.Query) | Should -Be @('https://example.com/b.jpg', 'HTTPS://NOTEXAMPLE.COM/d.jpg')
    }

    It 'takes its own output back from the pipeline (by its Url property)' {
        $again = @(Find-TrainedImage -Text 'lookalike' -IndexPath $index | Find-TrainedImage -IndexPath $index)
        @($again.Url | Sort-Object) | Should -Be @('https://example.com.evil.example/e.jpg', 'https://notexample.com/d.jpg')
        $again.MatchKind | Sort-Object -Unique | Should -Be 'Url'
    }
}

Describe 'Find-TrainedImage -Domain' {
    It 'finds the domain and its subdomains for <Query>, and no lookalike' -ForEach @(
        @{ Query = 'example.com' }
        @{ Query = 'EXAMPLE.COM' }
        @{ Query = 'example.com.' }
        @{ Query = '*.example.com' }
        @{ Query = 'https://example.com/anything' }
    ) {
        $expected = @(
            'http://example.com:8080/f.jpg'
            'https://cdn.img.example.com/c.jpg'
            'https://example.com/b.jpg'
            'https://Example.COM/Path/Case.jpg'
            'https://www.example.com/~artist/work.jpg'
        )
        $found = @(Find-TrainedImage -Domain $Query -IndexPath $index)
        @($found.Url | Sort-Object) | Should -Be @($expected | Sort-Object)
        foreach ($row in $found) { $row.MatchKind | Should -Be 'Domain'; $row.Query | Should -Be $Query }
    }

    It 'finds only the lookalike itself for notexample.com' {
        @(Find-TrainedImage -Domain 'notexample.com' -IndexPath $index).Url | Should -Be @('https://notexample.com/d.jpg')
    }

    It 'finds only a subdomain''s own rows for img.example.com' {
        @(Find-TrainedImage -Domain 'img.example.com' -IndexPath $index).Url | Should -Be @('https://cdn.img.example.com/c.jpg')
    }

    It 'finds every sample row on stockpix.example (from its .json files), with -Dataset and -Top' {
        $expected = @($sampleRows | Where-Object { ([uri] $_.url).Host -like '*.stockpix.example' } | ForEach-Object url)
        $expected.Count | Should -BeGreaterThan 1
        $found = @(Find-TrainedImage -Domain 'stockpix.example' -IndexPath $index -Dataset sample)
        @($found.Url | Sort-Object) | Should -Be @($expected | Sort-Object)
        @(Find-TrainedImage -Domain 'stockpix.example' -IndexPath $index -Dataset urls) | Should -BeNullOrEmpty
        @(Find-TrainedImage -Domain 'stockpix.example' -IndexPath $index -Top 1).Count | Should -Be 1
    }

    It 'reports a name that is not a domain as a non-terminating OptOut.InvalidDomain error and goes on' {
        $errors = $null
        $found = @(Find-TrainedImage -Domain 'exa mple..com', 'notexample.com' -IndexPath $index -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.InvalidDomain*'
        $errors[0].TargetObject | Should -Be 'exa mple..com'
        $found.Url | Should -Be @('https://notexample.com/d.jpg')
    }

    It 'binds Domain from piped objects by property name' {
        $found = @([pscustomobject]@{ Domain = 'notexample.com' }, [pscustomobject]@{ Domain = 'example.org' } | Find-TrainedImage -IndexPath $index)
        @($found.Url) | Should -Be @('https://notexample.com/d.jpg', 'https://example.org/g.jpg')
    }
}

Describe 'Find-TrainedImage output' {
    It 'survives ConvertTo-Json and ConvertFrom-Json' {
        $rows = @($byImage | Select-Object -First 6)
        $back = @($rows | ConvertTo-Json | ConvertFrom-Json)
        $back.Count | Should -Be $rows.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            foreach ($name in 'Query', 'QuerySha256', 'Dataset', 'Key', 'Url', 'Caption', 'MatchKind', 'Sha256') {
                $back[$i].$name | Should -BeExactly $rows[$i].$name
            }
            foreach ($name in 'Width', 'Height', 'HashDistance') { $back[$i].$name | Should -Be $rows[$i].$name }
            [double] $back[$i].Similarity | Should -Be $rows[$i].Similarity
        }
    }

    It 'survives Export-Csv and Import-Csv' {
        $rows = @($byImage) + @(Find-TrainedImage -Text 'lookalike' -IndexPath $index)
        $csvPath = Join-Path $TestDrive 'matches.csv'
        $rows | Export-Csv -LiteralPath $csvPath
        $back = @(Import-Csv -LiteralPath $csvPath)
        $back.Count | Should -Be $rows.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            foreach ($name in 'Query', 'QuerySha256', 'Dataset', 'Key', 'Url', 'Caption', 'MatchKind', 'Width', 'Height', 'HashDistance', 'Sha256') {
                $back[$i].$name | Should -BeExactly "$($rows[$i].$name)"
            }
            [double] $back[$i].Similarity | Should -Be $rows[$i].Similarity
        }
    }

    It 'has a default table view of 4 to 6 columns for <TypeName>' -ForEach @(
        @{ TypeName = 'OptOut.TrainedImageMatch' }
        @{ TypeName = 'OptOut.TrainingSetImportSummary' }
    ) {
        $view = Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion
        $table = @($view.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })[0]
        $table.Control.Headers.Count | Should -BeGreaterOrEqual 4
        $table.Control.Headers.Count | Should -BeLessOrEqual 6
    }

    It 'shows the file name, kind, similarity, verification, dataset and URL in the default table' {
        $text = $byImage | Select-Object -First 3 | Out-String -Width 250
        $header = ($text -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
        $header | Should -Match 'Query\s+MatchKind\s+Similarity\s+Verified\s+Dataset\s+Url'
        # The Query column shows the query file's name, not its full path.
        $rows = @($text -split "`n" | Where-Object { $_.Trim() } | Select-Object -Skip 2)
        $rows.Count | Should -Be 3
        foreach ($row in $rows) { $row | Should -BeLike "$($artistFiles[0].Name) *" }
    }
}
