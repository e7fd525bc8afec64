# Get-ImageFingerprint's errors: every bad file is a non-terminating error with a stable id and the
# path as target while the other files go on; -ErrorAction Stop stops at the first; headers claiming
# huge images are refused before decoding.
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $corruptReference = (Join-Path $SharedDataPath 'near-duplicates/ukbench09268_corrupt.jpg')
    $haveCorruptReference = Test-Path -LiteralPath $corruptReference
    $badFiles = @(
        @{ Name = 'truncated.jpg'; What = 'a JPEG cut to half its length' }
        @{ Name = 'truncated.png'; What = 'a PNG cut to half its length' }
        @{ Name = 'empty.png'; What = 'an empty file' }
        @{ Name = 'text.png'; What = 'a text file named .png' }
        @{ Name = 'short-data.png'; What = 'a PNG whose pixel data is shorter than its header says' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    $good = Join-Path $TestDrive 'good'
    $goodFiles = @(New-SampleImage -ModulePath $ModulePath -Kind artist -Destination $good -Count 3)
    $copies = Join-Path $TestDrive 'copies'
    $null = New-SampleImage -ModulePath $ModulePath -Kind copies -Destination $copies -Count 1

    $bad = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'bad')
    $jpeg = [System.IO.File]::ReadAllBytes((Join-Path $copies 'artwork-01-reencode.jpg'))
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'truncated.jpg'), $jpeg[0..([int]($jpeg.Length / 2) - 1)])
    $png = [System.IO.File]::ReadAllBytes($goodFiles[0].FullName)
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'truncated.png'), $png[0..([int]($png.Length / 2) - 1)])
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'empty.png'), [byte[]]@())
    Set-Content -LiteralPath (Join-Path $bad 'text.png') -Value 'This is a text file, not a picture.'
    # Valid PNG signature and IHDR (correct CRC) claiming 50,000 x 50,000 RGB, then a tiny IDAT.
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'huge.png'), (New-PngBytes -Width 50000 -Height 50000))
    # Valid chunks, header 64 x 48, but the IDAT inflates to 16 bytes instead of 48 x 193.
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'short-data.png'), (New-PngBytes -Width 64 -Height 48))
    # 40,000 x 10: few pixels, but wider than the default 30,000 px a side.
    [System.IO.File]::WriteAllBytes((Join-Path $bad 'wide.png'), (New-PngBytes -Width 40000 -Height 10))

    function Invoke-WithErrors {
        # Runs Get-ImageFingerprint, returning its output and the errors it wrote.
        param([hashtable] $Parameters)
        $errors = $null
        $output = @(Get-ImageFingerprint @Parameters -ErrorVariable errors -ErrorAction SilentlyContinue)
        [pscustomobject]@{ Output = $output; Errors = @($errors) }
    }
}

Describe 'Undecodable files' {
    It 'reports <What> as OptOut.ImageDecodeFailed and goes on with the other files' -ForEach $badFiles {
        $badPath = Join-Path $bad $Name
        $run = Invoke-WithErrors @{ LiteralPath = @($goodFiles[0].FullName, $badPath, $goodFiles[1].FullName) }
        $run.Errors.Count | Should -Be 1 -Because "$Name should give exactly one error"
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageDecodeFailed*'
        $run.Errors[0].TargetObject | Should -Be $badPath
        $run.Errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $run.Errors[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $run.Output.Path | Should -Be @($goodFiles[0].FullName, $goodFiles[1].FullName)
    }

    It "reports the corrupt UKBench copy as OptOut.ImageDecodeFailed$(if (-not $haveCorruptReference) { " (skipped: $corruptReference is absent)" })" -Skip:(-not $haveCorruptReference) {
        # A copy, so the target path is one the test owns.
        $corrupt = Join-Path $TestDrive 'ukbench09268_corrupt.jpg'
        Copy-Item -LiteralPath (Join-Path $NearDuplicatePath 'ukbench09268_corrupt.jpg') -Destination $corrupt
        $run = Invoke-WithErrors @{ LiteralPath = @($goodFiles[0].FullName, $corrupt, $goodFiles[1].FullName) }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageDecodeFailed*'
        $run.Errors[0].TargetObject | Should -Be $corrupt
        # Its bytes are no image at all: a JPEG by name, damaged, not "an unknown format".
        $run.Errors[0].Exception.Message | Should -BeLike '*damaged or truncated*JPEG*'
        $run.Output.Count | Should -Be 2
    }

    It 'reports every bad file in one call, each with its own path, from a piped folder listing' {
        $mixed = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'mixed-bad')
        # Files every decoder refuses (truncated.jpg and short-data.png have their own tests above).
        $refused = @('truncated.png', 'empty.png', 'text.png')
        foreach ($name in $refused) { Copy-Item -LiteralPath (Join-Path $bad $name) -Destination $mixed }
        foreach ($f in $goodFiles) { Copy-Item -LiteralPath $f.FullName -Destination $mixed }
        $listing = @(Get-ChildItem -LiteralPath $mixed -File)
        $errors = $null
        $output = @($listing | Get-ImageFingerprint -ErrorVariable errors -ErrorAction SilentlyContinue)
        $output.Count | Should -Be 3
        @($errors).Count | Should -Be $refused.Count
        ($errors.TargetObject | Sort-Object) | Should -Be ($refused | ForEach-Object { Join-Path $mixed $_ } | Sort-Object)
        $output.Path | Should -Be @($listing | Where-Object { $_.Name -notin $refused }).FullName
        $errors.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'OptOut.ImageDecodeFailed*' }
    }
}

Describe 'Missing and unusable paths' {
    It 'reports a missing -Path as OptOut.FileNotFound and goes on' {
        $missing = Join-Path $TestDrive 'no-such-file.png'
        $run = Invoke-WithErrors @{ Path = @($missing, $goodFiles[0].FullName) }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
        $run.Errors[0].TargetObject | Should -Be $missing
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $run.Output.Path | Should -Be $goodFiles[0].FullName
    }

    It 'reports a missing -LiteralPath as OptOut.FileNotFound' {
        $missing = Join-Path $TestDrive 'gone[1].png'
        $run = Invoke-WithErrors @{ LiteralPath = $missing }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
        $run.Errors[0].TargetObject | Should -Be $missing
        $run.Output.Count | Should -Be 0
    }

    It 'refuses a path on another provider with OptOut.NotFileSystemPath' {
        $run = Invoke-WithErrors @{ LiteralPath = 'Env:PATH' }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.NotFileSystemPath*'
        $run.Output.Count | Should -Be 0
    }
}

Describe 'Errors and output in input order' {
    It 'writes the error for <Case> between the outputs of the files around it' -ForEach @(
        @{ Case = 'a file that fails to decode'; BadName = 'text.png'; Id = 'OptOut.ImageDecodeFailed' }
        @{ Case = 'a missing file'; BadName = 'no-such-file.png'; Id = 'OptOut.FileNotFound' }
        @{ Case = 'a folder without -Recurse'; BadName = '.'; Id = 'OptOut.PathIsDirectory' }
    ) {
        $badPath = [System.IO.Path]::GetFullPath((Join-Path $bad $BadName))
        $inputs = @($goodFiles[0].FullName, $badPath, $goodFiles[1].FullName)
        # 2>&1 merges the error stream into the output in the order records were written.
        $merged = @(Get-ImageFingerprint -LiteralPath $inputs -ErrorAction Continue 2>&1)
        $sequence = @($merged | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { "error:$($_.FullyQualifiedErrorId -replace ',.*')" } else { "output:$(Split-Path -Leaf $_.Path)" }
            })
        $sequence | Should -Be @("output:$($goodFiles[0].Name)", "error:$Id", "output:$($goodFiles[1].Name)")
    }
}

Describe '-ErrorAction Stop' {
    It 'stops at the first bad file with its error, after the files before it' {
        $inputs = @($goodFiles[0].FullName, $goodFiles[1].FullName, (Join-Path $bad 'text.png'), $goodFiles[2].FullName, (Join-Path $bad 'empty.png'))
        $seen = [System.Collections.Generic.List[object]]::new()
        $caught = $null
        try {
            Get-ImageFingerprint -LiteralPath $inputs -ErrorAction Stop | ForEach-Object { $seen.Add($_) }
        }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because '-ErrorAction Stop must turn the first error into an exception'
        $caught.FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageDecodeFailed*'
        $caught.TargetObject | Should -Be (Join-Path $bad 'text.png')
        $seen.Count | Should -BeLessThan 3
        $seen.Path | Should -Be @($goodFiles[0].FullName, $goodFiles[1].FullName)
    }

    It 'stops at a missing path with its error, after the files before it' {
        $missing = Join-Path $TestDrive 'missing-in-the-middle.png'
        $inputs = @($goodFiles[0].FullName, $goodFiles[1].FullName, $missing, $goodFiles[2].FullName)
        $seen = [System.Collections.Generic.List[object]]::new()
        $caught = $null
        try {
            Get-ImageFingerprint -LiteralPath $inputs -ErrorAction Stop | ForEach-Object { $seen.Add($_) }
        }
        catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'OptOut.FileNotFound*'
        $caught.TargetObject | Should -Be $missing
        # As with a file that fails to decode: the files before the bad one are written, the rest not.
        @($seen | ForEach-Object Path) | Should -Be @($goodFiles[0].FullName, $goodFiles[1].FullName)
    }

    It 'leaves the module usable after a stopped run' {
        try { Get-ImageFingerprint -LiteralPath (Join-Path $bad 'empty.png'), $goodFiles[0].FullName -ErrorAction Stop } catch { }
        $after = @(Get-ImageFingerprint -LiteralPath $goodFiles[0].FullName, $goodFiles[1].FullName)
        $after.Path | Should -Be @($goodFiles[0].FullName, $goodFiles[1].FullName)
    }

    It 'is caught by try/catch with $ErrorActionPreference = Stop' {
        $ErrorActionPreference = 'Stop'
        $caught = $null
        try { $null = Get-ImageFingerprint -LiteralPath (Join-Path $bad 'truncated.png') } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageDecodeFailed*'
    }
}

Describe 'Size limits' {
    It 'refuses a PNG whose header claims 50,000 x 50,000 pixels with OptOut.ImageTooLarge, quickly' {
        $huge = Join-Path $bad 'huge.png'
        (Get-Item -LiteralPath $huge).Length | Should -BeLessThan 200
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-WithErrors @{ LiteralPath = @($huge, $goodFiles[0].FullName) }
        $clock.Stop()
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageTooLarge*'
        $run.Errors[0].TargetObject | Should -Be $huge
        $run.Errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $run.Errors[0].Exception.Message | Should -Match '50000 x 50000'
        $run.Output.Path | Should -Be $goodFiles[0].FullName
        # Decoding 2.5 gigapixels would take minutes and ~10 GB; refusing from the header takes
        # milliseconds. The bound is generous so a loaded machine does not fail it.
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'refuses a header wider than the default 30,000 px a side with OptOut.ImageTooLarge' {
        $run = Invoke-WithErrors @{ LiteralPath = (Join-Path $bad 'wide.png') }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageTooLarge*'
    }

    It 'refuses a normal 320 x 240 image with OptOut.ImageTooLarge under -MaxPixels <MaxPixels>' -ForEach @(
        @{ MaxPixels = 1000 }
        @{ MaxPixels = 76799 }
    ) {
        $run = Invoke-WithErrors @{ LiteralPath = $goodFiles[0].FullName; MaxPixels = $MaxPixels }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageTooLarge*'
        $run.Errors[0].TargetObject | Should -Be $goodFiles[0].FullName
        $run.Output.Count | Should -Be 0
    }

    It 'refuses a normal 320 x 240 image with OptOut.ImageTooLarge under -MaxSide <MaxSide>' -ForEach @(
        @{ MaxSide = 100 }
        @{ MaxSide = 319 }
    ) {
        $run = Invoke-WithErrors @{ LiteralPath = $goodFiles[0].FullName; MaxSide = $MaxSide }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ImageTooLarge*'
        $run.Output.Count | Should -Be 0
    }

    It 'accepts an image exactly at the limits (-MaxPixels 76800 -MaxSide 320)' {
        $run = Invoke-WithErrors @{ LiteralPath = $goodFiles[0].FullName; MaxPixels = 76800; MaxSide = 320 }
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 1
    }

    It 'lets the 40,000 px wide header past the limits when -MaxSide allows it' {
        # Its pixel data is missing, so what follows is a decode failure (or, see short-data.png, a
        # picture of zeros), but not OptOut.ImageTooLarge.
        $run = Invoke-WithErrors @{ LiteralPath = (Join-Path $bad 'wide.png'); MaxSide = 50000 }
        @($run.Errors | Where-Object FullyQualifiedErrorId -Like 'OptOut.ImageTooLarge*') | Should -BeNullOrEmpty
    }

    It 'rejects -MaxPixels 0 and -MaxSide 0 at binding time' {
        { Get-ImageFingerprint -LiteralPath $goodFiles[0].FullName -MaxPixels 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Get-ImageFingerprint -LiteralPath $goodFiles[0].FullName -MaxSide 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
