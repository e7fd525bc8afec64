# OpenCV (geometric verification, src/OptOut.Core/Matching) inside the built module: its native library
# comes from the module's runtimes/ folder and its managed assembly lives in the module's private load
# context (reached by reflection in a fresh child process); then verified copies through the cmdlets:
# Find-TrainedImage and Add-OptOut -IncludeCopies over an index of real clip art and its altered copies.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    $original = Join-Path $FixturePath 'clipart/grapes_01.png'
    $lookAlike = Join-Path $FixturePath 'clipart/another_apple_01.png'
    $apple = Join-Path $FixturePath 'clipart/apple.png'
}

Describe 'OpenCV in the module''s load context' -Skip:(-not ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
    BeforeAll {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'OptOut.Core' } | Select-Object -First 1
`$version = `$core.GetType('OptOut.Core.NativeLibraries').GetMethod('OpenCvVersion').Invoke(`$null, @())
`$limits = `$core.GetType('OptOut.Core.Imaging.ImageLimits')::Default
`$loader = `$core.GetType('OptOut.Core.Imaging.ImageLoader')
`$verifier = [Activator]::CreateInstance(`$core.GetType('OptOut.Core.Matching.GeometricVerifier'), @(`$null))
function Test-Pair([string] `$a, [string] `$b) {
    `$da = `$loader::Load(`$a, `$limits); `$db = `$loader::Load(`$b, `$limits)
    `$pa = `$verifier.Prepare(`$da, `$null); `$pb = `$verifier.Prepare(`$db, `$null)
    try { `$verifier.Verify(`$pa, `$pb, `$null) } finally { `$pa.Dispose(); `$pb.Dispose(); `$da.Dispose(); `$db.Dispose() }
}
`$same = Test-Pair '$original' '$original'
`$different = Test-Pair '$apple' '$lookAlike'
`$openCv = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'OpenCvSharp' } | Select-Object -First 1
`$natives = @(Get-Content /proc/self/maps | ForEach-Object { (`$_ -split '\s+', 6)[5] } | Where-Object { `$_ -match 'OpenCvSharpExtern' } | Sort-Object -Unique)
Write-Result @{
    Version = `$version
    Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$openCv).Name
    Natives = `$natives
    SameVerified = `$same.IsVerified
    DifferentVerified = `$different.IsVerified
    DifferentReason = `$different.Reason.ToString()
}
"@
    }

    It 'reports OpenCV 4.13' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Version | Should -BeLike '4.13.*'
    }

    It 'loads OpenCvSharp into the module''s private load context' {
        $result.Context | Should -BeLike 'OptOut:*'
    }

    It 'loads libOpenCvSharpExtern from the module''s runtimes/ folder' {
        $result.Natives.Count | Should -Be 1
        $result.Natives[0] | Should -BeLike (Join-Path $ModulePath 'bin/runtimes/linux-x64/native/*')
    }

    It 'verifies a picture against itself and not against another drawing of the same subject' {
        $result.SameVerified | Should -BeTrue
        $result.DifferentVerified | Should -BeFalse
        $result.DifferentReason | Should -Not -Be 'None'
    }
}

Describe 'Verified copies through Find-TrainedImage and Add-OptOut' -Skip:(-not ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
    BeforeAll {
        Import-Module $ModulePath -ErrorAction Stop
        # Every alteration of the sample generator (mirrored and combined included) of a real drawing.
        $altered = Join-Path $TestDrive 'altered'
        $output = & dotnet (Get-SampleGenerator $ModulePath) alter $altered $original 2>&1
        if ($LASTEXITCODE -ne 0) { throw "OptOut.Samples alter failed: $output" }
        $copies = @(Get-ChildItem -LiteralPath $altered -Filter '*.png' | Sort-Object Name)
        $rows = @($copies | ForEach-Object { @{ Url = "https://scraped.example/$($_.Name)"; Caption = 'grapes'; Image = $_.FullName } })
        $rows += @{ Url = 'https://scraped.example/another-apple.png'; Caption = 'apple'; Image = $lookAlike }
        $rows += @{ Url = 'https://scraped.example/bitten.png'; Caption = 'apple'; Image = (Join-Path $FixturePath 'clipart/apple_bitten_dan_gerhard_01.png') }
        $scraped = New-Img2DatasetJsonShard -Destination (Join-Path $TestDrive 'scraped') -Rows $rows

        # A webdataset tar without a parquet: the rotated copy as member 000000000.png, after another sample.
        $tarFolder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'tars')
        $tar = Join-Path $tarFolder '00000.tar'
        $members = [ordered]@{}
        foreach ($sample in @(@{ Key = '000000000'; Url = 'https://tar.example/bitten.png'; Png = (Join-Path $FixturePath 'clipart/apple_with_worm_dan_gerh_01.png') },
                @{ Key = '000000001'; Url = 'https://tar.example/grapes-rotated.png'; Png = (Join-Path $altered 'grapes_01-rotate.png') })) {
            $members["$($sample.Key).png"] = [System.IO.File]::ReadAllBytes($sample.Png)
            $members["$($sample.Key).json"] = [System.Text.Encoding]::UTF8.GetBytes((@{ url = $sample.Url; key = $sample.Key; status = 'success' } | ConvertTo-Json -Compress))
        }
        $stream = [System.IO.File]::Create($tar)
        $writer = [System.Formats.Tar.TarWriter]::new($stream, [System.Formats.Tar.TarEntryFormat]::Ustar, $false)
        try {
            foreach ($name in $members.Keys) {
                $entry = [System.Formats.Tar.UstarTarEntry]::new([System.Formats.Tar.TarEntryType]::RegularFile, $name)
                $entry.DataStream = [System.IO.MemoryStream]::new([byte[]] $members[$name])
                $writer.WriteEntry($entry)
            }
        }
        finally { $writer.Dispose(); $stream.Dispose() }

        $index = Join-Path $TestDrive 'index.db'
        $null = Import-TrainingSet -Path $scraped.FullName -IndexPath $index
        $null = Import-TrainingSet -Path $tar -IndexPath $index
        $found = @(Find-TrainedImage -LiteralPath $original -IndexPath $index)
        $apples = @(Find-TrainedImage -LiteralPath $apple -IndexPath $index -IncludeSimilar -MinimumSimilarity 0)
    }

    It 'finds the <_> copy as a verified Copy, with its evidence and its image location' -ForEach @('reencode', 'resize', 'crop', 'pad', 'watermark', 'gray', 'rotate', 'brightness', 'mirror', 'resizecropjpeg') {
        $url = "https://scraped.example/grapes_01-$_.png"
        $hit = @($found | Where-Object Url -EQ $url)
        $hit.Count | Should -Be 1 -Because "$url should be found ($(($found | ForEach-Object { "$($_.Url) $($_.MatchKind) $($_.Verified)" }) -join '; '))"
        $hit[0].MatchKind | Should -Be 'Copy' -Because "$($hit[0].Verified) / $($hit[0].Verification.Detail)"
        $hit[0].Verification.IsVerified | Should -BeTrue
        $hit[0].Verified | Should -BeLike 'yes*'
        $hit[0].Image.Path | Should -BeLike (Join-Path $scraped.FullName '00000/*.png')
        [System.IO.File]::Exists($hit[0].Image.Path) | Should -BeTrue
        if ($_ -eq 'mirror') { $hit[0].Verification.Mirrored | Should -BeTrue }
        if ($_ -eq 'rotate') { [Math]::Abs($hit[0].Verification.RotationDegrees) | Should -BeGreaterThan 2 }
    }

    It 'verifies a tar member through its stored offset' {
        $hit = @($found | Where-Object Url -EQ 'https://tar.example/grapes-rotated.png')
        $hit.Count | Should -Be 1
        $hit[0].MatchKind | Should -Be 'Copy'
        $hit[0].Image.IsArchiveMember | Should -BeTrue
        $hit[0].Image.Path | Should -Be $tar
        $hit[0].Image.Member | Should -Be '000000001.png'
        # Past the first sample's members: the offset is the member's own.
        $hit[0].Image.Offset | Should -BeGreaterThan 1024
        $hit[0].Image.Length | Should -Be (Get-Item -LiteralPath (Join-Path $altered 'grapes_01-rotate.png')).Length
    }

    It 'reports no other drawing as a Copy of the grapes' {
        @($found | Where-Object { $_.MatchKind -eq 'Copy' -and $_.Url -notlike '*grapes*' }) | Should -BeNullOrEmpty
    }

    It 'does not verify a look-alike apple by another artist; with -IncludeSimilar it is Similar and says why' {
        $other = @($apples | Where-Object Url -EQ 'https://scraped.example/another-apple.png')
        $other.Count | Should -Be 1
        $other[0].MatchKind | Should -Be 'Similar'
        if ($other[0].Verification) {
            $other[0].Verification.IsVerified | Should -BeFalse
            $other[0].Verified | Should -BeLike 'no:*'
        }
        @($apples | Where-Object MatchKind -EQ 'Copy') | Should -BeNullOrEmpty
    }

    It 'reports a candidate whose image is not there any more as Similar, not verified' {
        $gone = Join-Path $TestDrive 'gone'
        $shard = New-Img2DatasetJsonShard -Destination $gone -Rows @(@{ Url = 'https://gone.example/grapes.png'; Caption = 'grapes'; Image = (Join-Path $altered 'grapes_01-reencode.png') })
        $goneIndex = Join-Path $TestDrive 'gone.db'
        $null = Import-TrainingSet -Path $shard.FullName -IndexPath $goneIndex
        Remove-Item -LiteralPath (Join-Path $gone '00000/000000000.png')
        $result = @(Find-TrainedImage -LiteralPath $original -IndexPath $goneIndex)
        $result.Count | Should -Be 1
        $result[0].MatchKind | Should -Be 'Similar'
        $result[0].Verified | Should -BeLike 'not verified*could not be read*'
        $result[0].Verification | Should -BeNullOrEmpty
    }

    It 'records with -IncludeCopies only verified copies of the whole picture, with the verification figures' {
        $registry = Join-Path $TestDrive 'registry.db'
        $warnings = $null
        $records = @(Add-OptOut -LiteralPath $original, $apple -IncludeCopies -IndexPath $index -RegistryPath $registry -PassThru -WarningVariable warnings -WarningAction SilentlyContinue)
        $urlClaims = @($records | Where-Object Kind -EQ 'Url')
        $urlClaims.Count | Should -BeGreaterOrEqual 6
        foreach ($claim in $urlClaims) {
            $claim.Target | Should -BeLike '*grapes*' -Because 'only the grapes have verified copies here'
            $claim.MatchKind | Should -Be 'Copy'
            $claim.MatchVerification | Should -Match 'inliers, scale [0-9.]+, rotation -?[0-9.]+ deg.*NCC'
        }
        $urlClaims.Target | Should -Contain 'https://scraped.example/grapes_01-mirror.png'
        $urlClaims.Target | Should -Contain 'https://tar.example/grapes-rotated.png'
        $urlClaims.Target | Should -Not -Contain 'https://scraped.example/another-apple.png'
        @($records | Where-Object Kind -EQ 'Content').Count | Should -Be 2
    }

    It 'Test-TrainingSet verifies the rows a content claim''s fingerprints propose before calling them violations' {
        $registry = Join-Path $TestDrive 'gate-registry.db'
        $null = Add-OptOut -LiteralPath $original, $apple -RegistryPath $registry
        $findings = @(Test-TrainingSet -Path $scraped.FullName -RegistryPath $registry | Where-Object Rule -EQ 'Content')
        $findings.Count | Should -BeGreaterOrEqual 6
        foreach ($finding in $findings) {
            $finding.Url | Should -BeLike 'https://scraped.example/grapes_01-*' -Because $finding.Detail
            $finding.Detail | Should -Match '; verified: ' -Because 'a content violation is a verified copy'
        }
        $findings.Url | Should -Contain 'https://scraped.example/grapes_01-mirror.png'
    }

    It 'keeps the fingerprint rule''s verdict, marked not verified, when the claimant''s file is gone at gate time' {
        $mine = Join-Path $TestDrive 'mine.png'
        Copy-Item -LiteralPath $original -Destination $mine
        $registry = Join-Path $TestDrive 'gone-registry.db'
        $null = Add-OptOut -LiteralPath $mine -RegistryPath $registry
        Remove-Item -LiteralPath $mine
        $findings = @(Test-TrainingSet -Path $scraped.FullName -RegistryPath $registry | Where-Object Rule -EQ 'Content')
        $findings.Count | Should -BeGreaterOrEqual 6
        foreach ($finding in $findings) {
            $finding.Detail | Should -Match "not verified: the claimant's file '.*mine\.png' is not readable here"
        }
    }
}
