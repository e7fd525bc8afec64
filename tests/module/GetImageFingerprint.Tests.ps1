# Get-ImageFingerprint: parameter binding, path resolution, the output object, serialization, the
# table view and progress, on images written by the sample generator (out/samples).
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    # 4 artworks (PNG, 320 x 240) and the 8 altered JPEG copies of the first one, in one folder.
    $mixed = Join-Path $TestDrive 'mixed'
    $null = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $mixed -Count 4
    $null = New-SampleImage -ModulePath $ModulePath -Kind copies -Destination $mixed -Count 1
    $mixedFiles = @(Get-ChildItem -LiteralPath $mixed -File)
    $pngFiles = @($mixedFiles | Where-Object Extension -EQ '.png' | Sort-Object Name)

    $errors = $null
    $fromPipeline = @($mixedFiles | Get-ImageFingerprint -IncludeEmbedding -ErrorVariable errors -ErrorAction SilentlyContinue)
    $pipelineErrors = $errors
    $first = $fromPipeline | Where-Object Path -EQ $pngFiles[0].FullName
    $modelFile = Join-Path $ModulePath 'models/ResNet18.onnx'
}

Describe 'Get-ImageFingerprint input' {
    It 'binds Get-ChildItem output and returns one object per image, in input order' {
        $pipelineErrors | Should -BeNullOrEmpty
        $mixedFiles.Count | Should -Be 12
        $fromPipeline.Count | Should -Be $mixedFiles.Count
        $fromPipeline.Path | Should -Be $mixedFiles.FullName
    }

    It 'keeps input order when a large image comes before small ones' {
        # A 1600 x 1200 PNG decodes much more slowly than the 160 x 120 JPEGs after it.
        $big = New-SolidPng -Path (Join-Path $TestDrive 'big-first.png') -Width 1600 -Height 1200 -R 20 -G 120 -B 200
        $small = @($mixedFiles | Where-Object Name -Like '*-resize.jpg') + @($mixedFiles | Where-Object Name -Like '*-crop.jpg')
        $inputs = @($big) + $small + @($big)
        $result = @($inputs | Get-ImageFingerprint)
        $result.Path | Should -Be $inputs.FullName
    }

    It 'binds FileInfo objects to -LiteralPath through PSPath (a name with [ ] is not taken as a wildcard)' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'brackets-pipe')
        $bracketed = Join-Path $folder 'odd[1].png'
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $bracketed
        # The wildcard reading of 'odd[1].png' would match 'odd1.png' instead.
        Copy-Item -LiteralPath $pngFiles[1].FullName -Destination (Join-Path $folder 'odd1.png')
        $result = @(Get-ChildItem -LiteralPath $folder -Filter 'odd?1?.png' | Get-ImageFingerprint)
        $result.Count | Should -Be 1
        $result[0].Path | Should -BeExactly $bracketed
        $result[0].Sha256 | Should -BeExactly $first.Sha256
    }

    It 're-fingerprints its own output objects piped back in, taking their Path literally' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'brackets-repipe')
        $bracketed = Join-Path $folder 'odd[1].png'
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $bracketed
        Copy-Item -LiteralPath $pngFiles[1].FullName -Destination (Join-Path $folder 'odd1.png')
        $fingerprint = Get-ImageFingerprint -LiteralPath $bracketed
        $again = @($fingerprint | Get-ImageFingerprint)
        # Read as a wildcard, 'odd[1].png' would silently name odd1.png, another picture.
        $again.Count | Should -Be 1
        $again[0].Path | Should -BeExactly $bracketed
        $again[0].Sha256 | Should -BeExactly $fingerprint.Sha256
    }

    It 'binds strings from the pipeline to -Path' {
        $result = @($pngFiles.FullName | Get-ImageFingerprint)
        $result.Path | Should -Be $pngFiles.FullName
    }

    It 'expands wildcards in -Path' {
        $result = @(Get-ImageFingerprint -Path (Join-Path $mixed 'artwork-0[12].png'))
        ($result.Path | Sort-Object) | Should -Be ($pngFiles[0..1].FullName | Sort-Object)
        $all = @(Get-ImageFingerprint (Join-Path $mixed '*.png'))
        ($all.Path | Sort-Object) | Should -Be ($pngFiles.FullName | Sort-Object)
    }

    It 'resolves a relative -Path against the current location' {
        Push-Location -LiteralPath $mixed
        try { $result = @(Get-ImageFingerprint -Path $pngFiles[2].Name) }
        finally { Pop-Location }
        $result.Count | Should -Be 1
        $result[0].Path | Should -BeExactly $pngFiles[2].FullName
    }

    It 'takes -LiteralPath names with [ and ] as written' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'brackets-literal')
        $bracketed = Join-Path $folder 'art[2].png'
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $bracketed
        Copy-Item -LiteralPath $pngFiles[1].FullName -Destination (Join-Path $folder 'art2.png')
        $literal = @(Get-ImageFingerprint -LiteralPath $bracketed)
        $literal.Count | Should -Be 1
        $literal[0].Path | Should -BeExactly $bracketed
        $literal[0].Sha256 | Should -BeExactly $first.Sha256
        # As -Path, a name that exists exactly is taken as written (never silently another file)...
        $exact = @(Get-ImageFingerprint -Path $bracketed)
        $exact.Path | Should -BeExactly $bracketed
        # ...and a pattern that is not an existing name is a wildcard: art[2].png matches art2.png.
        Remove-Item -LiteralPath $bracketed
        $wild = @(Get-ImageFingerprint -Path $bracketed)
        $wild.Path | Should -BeExactly (Join-Path $folder 'art2.png')
    }

    It 'refuses a folder without -Recurse with OptOut.PathIsDirectory' {
        $errors = $null
        $result = @(Get-ImageFingerprint -Path $mixed -ErrorVariable errors -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 0
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.PathIsDirectory,*'
        $errors[0].TargetObject | Should -Be $mixed
    }

    It 'takes the images in a folder and its subfolders with -Recurse, skipping other files' {
        $root = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'tree')
        $sub = New-Item -ItemType Directory -Path (Join-Path $root 'sub')
        $deeper = New-Item -ItemType Directory -Path (Join-Path $sub 'deeper')
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination (Join-Path $root 'a.png')
        Copy-Item -LiteralPath ($mixedFiles | Where-Object Name -Like '*-resize.jpg').FullName -Destination (Join-Path $sub 'b.jpg')
        Copy-Item -LiteralPath $pngFiles[1].FullName -Destination (Join-Path $deeper 'c.png')
        Set-Content -LiteralPath (Join-Path $sub 'notes.txt') -Value 'not an image'
        $errors = $null
        $result = @(Get-ImageFingerprint -Path $root -Recurse -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors | Should -BeNullOrEmpty
        ($result.Path | Sort-Object) | Should -Be (@((Join-Path $root 'a.png'), (Join-Path $sub 'b.jpg'), (Join-Path $deeper 'c.png')) | Sort-Object)
        # -LiteralPath folders recurse the same way.
        @(Get-ImageFingerprint -LiteralPath $root -Recurse).Count | Should -Be 3
    }

    It 'returns the images under a folder in sorted (ordinal) path order with -Recurse' {
        $root = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'sorted')
        $names = 'b.png', 'B2.png', 'a.png', 'a_1.png', 'a.1.png', 'z/a.png', 'C/x.png'
        foreach ($name in $names) {
            $target = Join-Path $root $name
            $null = New-Item -ItemType Directory -Path (Split-Path $target -Parent) -Force
            Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $target
        }
        $expected = [string[]] @($names | ForEach-Object { Join-Path $root $_ })
        [Array]::Sort($expected, [StringComparer]::Ordinal)
        $result = @(Get-ImageFingerprint -Path $root -Recurse)
        $result.Path | Should -Be $expected
    }

    It 'resolves PowerShell drive paths to file-system paths' {
        $null = New-PSDrive -Name OptOutTestArt -PSProvider FileSystem -Root $mixed -Scope Script
        try {
            $viaPath = Get-ImageFingerprint -Path "OptOutTestArt:/$($pngFiles[0].Name)"
            $viaLiteral = Get-ImageFingerprint -LiteralPath "OptOutTestArt:/$($pngFiles[1].Name)"
        }
        finally { Remove-PSDrive -Name OptOutTestArt -Scope Script }
        $viaPath.Path | Should -BeExactly $pngFiles[0].FullName
        $viaLiteral.Path | Should -BeExactly $pngFiles[1].FullName
    }

    It 'takes names with spaces and non-ASCII letters' {
        $odd = Join-Path $TestDrive 'über bild ✓ 1.png'
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $odd
        $fp = Get-ImageFingerprint -LiteralPath $odd
        $fp.Path | Should -BeExactly $odd
        $fp.Sha256 | Should -BeExactly $first.Sha256
    }

    It 'decodes a file named explicitly by its content, whatever its extension' {
        $renamed = Join-Path $TestDrive 'picture.dat'
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination $renamed
        $fp = Get-ImageFingerprint -LiteralPath $renamed
        $fp.Format | Should -BeExactly 'PNG'
        $fp.PerceptualHash | Should -BeExactly $first.PerceptualHash
    }

    It 'picks image files by extension, in any case, under -Recurse' {
        $root = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'cases')
        Copy-Item -LiteralPath $pngFiles[0].FullName -Destination (Join-Path $root 'UPPER.PNG')
        Copy-Item -LiteralPath ($mixedFiles | Where-Object Name -Like '*-resize.jpg').FullName -Destination (Join-Path $root 'Mixed.JpEg')
        Copy-Item -LiteralPath $pngFiles[1].FullName -Destination (Join-Path $root 'picture.dat')
        $result = @(Get-ImageFingerprint -LiteralPath $root -Recurse)
        ($result.Path | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object) | Should -Be @('Mixed.JpEg', 'UPPER.PNG')
    }

    It 'writes nothing, and no error, for empty pipeline input' {
        $errors = $null
        $result = @(@() | Get-ImageFingerprint -ErrorVariable errors)
        $result.Count | Should -Be 0
        $errors | Should -BeNullOrEmpty
    }

    It 'stops early under Select-Object -First and stays usable' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $some = @($mixedFiles | Get-ImageFingerprint | Select-Object -First 2)
        $clock.Stop()
        $some.Path | Should -Be $mixedFiles[0..1].FullName
        $after = @($mixedFiles[0..2] | Get-ImageFingerprint)
        $after.Path | Should -Be $mixedFiles[0..2].FullName
    }
}

Describe 'Get-ImageFingerprint output' {
    It 'declares and writes OptOut.ImageFingerprint objects' {
        (Get-Command Get-ImageFingerprint).OutputType.Name | Should -Contain 'OptOut.ImageFingerprint'
        $first.PSObject.TypeNames[0] | Should -BeExactly 'OptOut.ImageFingerprint'
        @($first.PSObject.Properties.Name) | Should -Be @('Path', 'Sha256', 'PerceptualHash', 'Width', 'Height', 'Format', 'Model', 'Embedding')
    }

    It 'gives the full path, the SHA-256 of the bytes (lower-case), a 16-hex-digit perceptual hash, size and format' {
        foreach ($fp in $fromPipeline) {
            $file = Get-Item -LiteralPath $fp.Path
            $fp.Sha256 | Should -BeExactly (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash.ToLowerInvariant()
            $fp.Sha256 | Should -MatchExactly '^[0-9a-f]{64}$'
            $fp.PerceptualHash | Should -MatchExactly '^[0-9a-f]{16}$'
            $fp.Width | Should -BeOfType [int]
            $fp.Height | Should -BeOfType [int]
            $fp.Format | Should -BeExactly ($file.Extension -eq '.png' ? 'PNG' : 'JPEG')
        }
        $first.Width | Should -Be 320
        $first.Height | Should -Be 240
        $resized = $fromPipeline | Where-Object Path -Like '*-resize.jpg'
        $resized.Width | Should -Be 160
        $resized.Height | Should -Be 120
    }

    It 'names the model as ResNet18@sha256: and the SHA-256 of the bundled ONNX file' {
        $expected = 'ResNet18@sha256:' + (Get-FileHash -LiteralPath $modelFile -Algorithm SHA256).Hash.ToLowerInvariant()
        $fromPipeline.Model | Sort-Object -Unique | Should -BeExactly $expected
        $first.Model | Should -MatchExactly '^ResNet18@sha256:[0-9a-f]{64}$'
    }

    It 'leaves Embedding null without -IncludeEmbedding' {
        $plain = Get-ImageFingerprint -LiteralPath $pngFiles[0].FullName
        $plain.Embedding | Should -BeNullOrEmpty
        $null -eq $plain.Embedding | Should -BeTrue
        $plain.PerceptualHash | Should -BeExactly $first.PerceptualHash
    }

    It 'gives a 512-float unit-length embedding with -IncludeEmbedding' {
        foreach ($fp in $fromPipeline) {
            , $fp.Embedding | Should -BeOfType [float[]]
            $fp.Embedding.Length | Should -Be 512
            Get-VectorNorm $fp.Embedding | Should -BeGreaterThan 0.9999
            Get-VectorNorm $fp.Embedding | Should -BeLessThan 1.0001
        }
    }

    It 'gives the same fingerprint for the same file every time' {
        $again = Get-ImageFingerprint -LiteralPath $pngFiles[0].FullName, $pngFiles[0].FullName -IncludeEmbedding
        $again.Count | Should -Be 2
        foreach ($fp in $again) {
            $fp.PerceptualHash | Should -BeExactly $first.PerceptualHash
            $fp.Sha256 | Should -BeExactly $first.Sha256
            Get-Cosine $fp.Embedding $first.Embedding | Should -BeGreaterThan 0.99999
        }
    }

    It 'gives different pictures different fingerprints' {
        ($fromPipeline.Sha256 | Sort-Object -Unique).Count | Should -Be $fromPipeline.Count
        ($pngFiles | ForEach-Object { $p = $_.FullName; ($fromPipeline | Where-Object Path -EQ $p).PerceptualHash } | Sort-Object -Unique).Count | Should -Be 4
    }
}

Describe 'Get-ImageFingerprint serialization' {
    It 'survives ConvertTo-Json | ConvertFrom-Json, embedding included' {
        $back = @($fromPipeline | ConvertTo-Json -Depth 3 | ConvertFrom-Json)
        $back.Count | Should -Be $fromPipeline.Count
        for ($i = 0; $i -lt $back.Count; $i++) {
            foreach ($name in 'Path', 'Sha256', 'PerceptualHash', 'Width', 'Height', 'Format', 'Model') {
                $back[$i].$name | Should -Be $fromPipeline[$i].$name -Because "property $name of item $i"
            }
            $vector = [float[]] $back[$i].Embedding
            $vector.Length | Should -Be 512
            # Each value comes back as the same single-precision number.
            $mismatch = @(for ($k = 0; $k -lt 512; $k++) { if ($vector[$k] -ne $fromPipeline[$i].Embedding[$k]) { $k } })
            $mismatch | Should -BeNullOrEmpty -Because "embedding values of item $i must round-trip"
        }
        # ConvertTo-Json's default depth (2) keeps the embedding too.
        ($fromPipeline[0] | ConvertTo-Json | ConvertFrom-Json).Embedding.Count | Should -Be 512
    }

    It 'survives Export-Csv | Import-Csv' {
        $csv = Join-Path $TestDrive 'fingerprints.csv'
        $plain = @($mixedFiles | Get-ImageFingerprint)
        $plain | Export-Csv -LiteralPath $csv -NoTypeInformation
        $back = @(Import-Csv -LiteralPath $csv)
        $back.Count | Should -Be $plain.Count
        for ($i = 0; $i -lt $back.Count; $i++) {
            foreach ($name in 'Path', 'Sha256', 'PerceptualHash', 'Format', 'Model') {
                $back[$i].$name | Should -BeExactly $plain[$i].$name -Because "property $name of row $i"
            }
            [int] $back[$i].Width | Should -Be $plain[$i].Width
            [int] $back[$i].Height | Should -Be $plain[$i].Height
        }
    }
}

Describe 'Get-ImageFingerprint table view' {
    It 'has a table view of 4 to 6 columns in the format data' {
        $format = Get-FormatData -TypeName 'OptOut.ImageFingerprint'
        $format | Should -Not -BeNullOrEmpty
        $table = @($format.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })
        $table.Count | Should -BeGreaterOrEqual 1
        $table[0].Control.Headers.Count | Should -BeGreaterOrEqual 4
        $table[0].Control.Headers.Count | Should -BeLessOrEqual 6
    }

    It 'shows 4 to 6 columns, without the embedding, in Format-Table output' {
        $saved = $PSStyle.OutputRendering
        $PSStyle.OutputRendering = 'PlainText'
        try { $text = $fromPipeline[0..2] | Format-Table | Out-String -Width 300 }
        finally { $PSStyle.OutputRendering = $saved }
        $lines = $text -split "`r?`n" | Where-Object { $_.Trim() }
        $rule = $lines | Where-Object { $_ -match '^[\s-]+$' } | Select-Object -First 1
        $rule | Should -Not -BeNullOrEmpty
        $columns = [regex]::Matches($rule, '-+').Count
        $columns | Should -BeGreaterOrEqual 4
        $columns | Should -BeLessOrEqual 6
        $text | Should -Not -Match 'Embedding'
        $text | Should -Match ([regex]::Escape($fromPipeline[0].PerceptualHash))
        $text | Should -Match ([regex]::Escape((Split-Path -Leaf $fromPipeline[0].Path)))
    }
}

Describe 'Get-ImageFingerprint progress' {
    BeforeAll {
        $twenty = Join-Path $TestDrive 'twenty'
        $twentyFiles = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $twenty -Count 20
    }

    It 'completes over 20 files with $ProgressPreference = Continue' {
        $saved = $ProgressPreference
        $ProgressPreference = 'Continue'
        try {
            $errors = $null
            $result = @($twentyFiles | Get-ImageFingerprint -ErrorVariable errors)
        }
        finally { $ProgressPreference = $saved }
        $errors | Should -BeNullOrEmpty
        $result.Count | Should -Be 20
        $result.Path | Should -Be $twentyFiles.FullName
    }

    It 'writes progress records and ends with a Completed record' {
        # A separate PowerShell instance collects the progress stream. The upstream delay makes the
        # run longer than the half second before the bar first appears.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $Files)
                    $ProgressPreference = 'Continue'
                    Import-Module $ModulePath -ErrorAction Stop
                    $Files | ForEach-Object { Start-Sleep -Milliseconds 50; $_ } | Get-ImageFingerprint
                }).AddArgument($ModulePath).AddArgument(@($twentyFiles))
            $output = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $output.Count | Should -Be 20
            $records = @($ps.Streams.Progress | Where-Object Activity -EQ 'Fingerprinting images')
            $records.Count | Should -BeGreaterThan 0
            # (The module writes one ProgressRecord instance again and again, so every record kept in
            # the stream now reads as the last state; only the last one can be checked.)
            $records[-1].RecordType | Should -Be ([System.Management.Automation.ProgressRecordType]::Completed)
            $records[-1].PercentComplete | Should -Be 100
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Stopping Get-ImageFingerprint' {
    BeforeAll {
        $stopFiles = New-SampleImage -ModulePath $ModulePath -Kind artist -Destination (Join-Path $TestDrive 'stop') -Count 20
    }

    It 'stops promptly when the pipeline is stopped (as by Ctrl+C), and runs again afterwards' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($ModulePath, $Files)
                    Import-Module $ModulePath -ErrorAction Stop
                    $Files | ForEach-Object { Start-Sleep -Milliseconds 100; $_ } | Get-ImageFingerprint
                }).AddArgument($ModulePath).AddArgument(@($stopFiles))
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]] $null, $output)
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            while ($output.Count -lt 2 -and $clock.Elapsed.TotalSeconds -lt 30) { Start-Sleep -Milliseconds 20 }
            $output.Count | Should -BeGreaterOrEqual 2 -Because 'the run should have started writing results'
            $clock.Restart()
            $ps.Stop()
            $clock.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $output.Count | Should -BeLessThan 20
            # The results written before the stop are the first files, in order.
            @($output | ForEach-Object Path) | Should -Be @($stopFiles[0..($output.Count - 1)].FullName)
        }
        finally { $ps.Dispose() }
        @($stopFiles[0..1] | Get-ImageFingerprint).Count | Should -Be 2
    }
}

Describe 'Get-ImageFingerprint of an animated WebP' {
    It 'writes OptOut.ImageFormatNotSupported saying animated WebP is not supported, without the advice to check the file is complete' {
        # Two frames, 64 x 48, made with libwebp 1.2.4's img2webp from tests/fixtures/base.png and white.png
        # (the bytes of tests/OptOut.Core.Tests/ImageLoaderTests.cs's AnimatedWebp).
        $animated = Join-Path $TestDrive 'anim.webp'
        [IO.File]::WriteAllBytes($animated, [Convert]::FromBase64String('UklGRggCAABXRUJQVlA4WAoAAAASAAAAPwAALwAAQU5JTQYAAAD/////AABBTk1GcgEAAAAAAAAAAD8AAC8AAGQAAAJWUDggWgEAADAJAJ0BKkAAMAA/EXK0UCwmqqKtUz2xgCIJbAC9GY3Y3mFyRBgKvABb6xpbAdnQGwrqdKFgNgD4DhXiTt3NM512rCVehRmzLaZduYhmyFr9sMAA/rjUHdb8Rj6oC+dyu+suRblDr3znfFv9rXv034Qt5X/udFVCnu938G/byr5b1H9d7KFy8qnWy4m4l8eUNm+0IuTHStUuq2iCHTNH8XictgAe6TY8HQJDmfoEwfHEc+tIl8FUYHbS+KP6Suovug3aHns4mwKYkYvAyyoPg3x4ydvImIdESMjgQh7qoZWvhFAHVVHIfoUl4WJGIrboEk2tFTZ2225M5iaI75gBZflpsgeVH8qs3l77N8rzaED/BFWz608FSRDw1pjegNs/QTYnf7sYdXfE9HAxZiyZl0nDqx0Aznnfv0TWl+XZSIq6NX0bnhObOdAdjACF1VjkJwS9WDp+aJAAAABBTk1GYgAAAAAAAAAAAD8AAC8AAGQAAABBTFBIGQAAAAEPMP8REUJN2wZM+JMugPlG9H8C9CH1rAEAVlA4ICgAAADUAgCdASpAADAAPxF8sViCKgACIJaQAAE+1FjeYhQAAP7wC05oAAAA'))
        $errors = $null
        $output = @(Get-ImageFingerprint -LiteralPath $animated -ErrorVariable errors -ErrorAction SilentlyContinue)
        $output | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageFormatNotSupported*'
        $errors[0].TargetObject | Should -Be $animated
        $errors[0].Exception.Message | Should -BeLike '*animated WebP is not supported*'
        $errors[0].ErrorDetails.RecommendedAction | Should -Not -BeLike '*complete*'
        $errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*still image*'
    }
}
