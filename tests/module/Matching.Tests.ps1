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
        # A small button padded: nine keypoints fit it a little off, its pixels agree once the fit is refined.
        $button = Join-Path $FixturePath 'clipart/arrow-down-red_benji_par_01.png'
        $buttonCopies = Join-Path $TestDrive 'button'
        $output = & dotnet (Get-SampleGenerator $ModulePath) alter $buttonCopies $button 2>&1
        if ($LASTEXITCODE -ne 0) { throw "OptOut.Samples alter failed: $output" }
        $rows += @{ Url = 'https://scraped.example/button-pad.png'; Caption = 'button'; Image = (Join-Path $buttonCopies 'arrow-down-red_benji_par_01-pad.png') }
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
        New-UstarArchive -Path $tar -Entries $members

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

    It 'verifies a copy whose keypoint fit was refined by its pixels, and says so' {
        $hit = @(Find-TrainedImage -LiteralPath $button -IndexPath $index | Where-Object Url -EQ 'https://scraped.example/button-pad.png')
        $hit.Count | Should -Be 1
        $hit[0].MatchKind | Should -Be 'Copy' -Because "$($hit[0].Verified) / $($hit[0].Verification.Detail)"
        $hit[0].Verification.PoseRefined | Should -BeTrue
        $hit[0].Verification.Detail | Should -BeLike '*refined by pixels*'
        $hit[0].Verified | Should -BeLike 'yes (*refined)'
    }

    It 'records a copy verified on a refined alignment with that said in the claim''s evidence' {
        $registry = Join-Path $TestDrive 'refined-registry.db'
        $records = @(Add-OptOut -LiteralPath $button -IncludeCopies -IndexPath $index -RegistryPath $registry -PassThru -WarningAction SilentlyContinue)
        $claim = @($records | Where-Object Target -EQ 'https://scraped.example/button-pad.png')
        $claim.Count | Should -Be 1
        $claim[0].MatchVerification | Should -BeLike '*inliers*refined by pixels*NCC*'
        # Stored, not only shown: read back from the registry.
        $stored = @(Get-OptOut -RegistryPath $registry | Where-Object Target -EQ 'https://scraped.example/button-pad.png')
        $stored[0].MatchVerification | Should -BeLike '*refined by pixels*'
    }

    It 'verifies the same copies from an index imported with -LocalFeatures (features stored, not extracted at search)' {
        $featuresIndex = Join-Path $TestDrive 'features.db'
        $null = Import-TrainingSet -Path $scraped.FullName -IndexPath $featuresIndex -LocalFeatures
        $null = Import-TrainingSet -Path $tar -IndexPath $featuresIndex -LocalFeatures
        $again = @(Find-TrainedImage -LiteralPath $original -IndexPath $featuresIndex)
        $copies = @($found | Where-Object MatchKind -EQ 'Copy' | ForEach-Object Url | Sort-Object)
        $copies.Count | Should -BeGreaterOrEqual 10
        @($again | Where-Object MatchKind -EQ 'Copy' | ForEach-Object Url | Sort-Object) | Should -Be $copies
        # About 12 KB of SIFT features a drawing on top of the same rows (the index's files: database, WAL, vectors).
        $bytes = { param($Path) (Get-ChildItem -Path "$Path*" -File | Measure-Object -Property Length -Sum).Sum }
        (& $bytes $featuresIndex) | Should -BeGreaterThan ((& $bytes $index) + 4096)
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

Describe 'Rows without local pixels through Find-TrainedImage' -Skip:(-not ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
    BeforeAll {
        Import-Module $ModulePath -ErrorAction Stop
        if (-not ('MatchingTestParquet' -as [type])) {
            # The sample generator's Parquet.Net, loaded into the default context (the module keeps its own copy privately).
            $samples = Split-Path (Get-SampleGenerator $ModulePath) -Parent
            foreach ($name in 'CommunityToolkit.HighPerformance', 'Microsoft.IO.RecyclableMemoryStream', 'Snappier', 'ZstdSharp', 'K4os.Compression.LZ4', 'Parquet') {
                $dll = Join-Path $samples "$name.dll"
                if (Test-Path -LiteralPath $dll) { Add-Type -Path $dll }
            }
            Add-Type -ReferencedAssemblies @((Join-Path $samples 'Parquet.dll'), 'System.Linq', 'System.Collections', 'System.Runtime', 'System.Memory', 'System.Threading.Tasks', 'netstandard') -TypeDefinition @'
using System.IO;
using System.Linq;
using Parquet;
using Parquet.Schema;

public static class MatchingTestParquet
{
    /// <summary>A parquet file of text columns, one row group.</summary>
    public static void Write(string path, string[] names, string[][] columns)
    {
        var fields = names.Select(n => new DataField<string>(n)).ToArray();
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
        try
        {
            using var group = writer.CreateRowGroup();
            for (int c = 0; c < names.Length; c++) group.WriteAsync(fields[c], columns[c]).GetAwaiter().GetResult();
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
'@
        }

        function New-HalfNpy([string] $Path, [float[][]] $Rows) {
            <# A version 1.0 .npy matrix of float16 rows, as clip-retrieval writes img_emb_N.npy. #>
            $header = "{'descr': '<f2', 'fortran_order': False, 'shape': ($($Rows.Count), $($Rows[0].Length)), }"
            $header = $header.PadRight($header.Length + (64 - (10 + $header.Length + 1) % 64) % 64) + "`n"
            $out = [System.IO.MemoryStream]::new()
            $out.Write([byte[]] (0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0), 0, 8)
            $out.Write([BitConverter]::GetBytes([uint16] $header.Length), 0, 2)
            $headerBytes = [System.Text.Encoding]::ASCII.GetBytes($header)
            $out.Write($headerBytes, 0, $headerBytes.Length)
            foreach ($row in $Rows) { foreach ($value in $row) { $out.Write([BitConverter]::GetBytes([Half] $value), 0, 2) } }
            $null = New-Item -ItemType Directory -Path (Split-Path $Path -Parent) -Force
            [System.IO.File]::WriteAllBytes($Path, $out.ToArray())
        }

        function Write-TextParquet([string] $Path, [System.Collections.Specialized.OrderedDictionary] $Columns) {
            $null = New-Item -ItemType Directory -Path (Split-Path $Path -Parent) -Force
            $values = [string[][]]::new($Columns.Count)
            $i = 0
            foreach ($name in $Columns.Keys) { $values[$i++] = [string[]] $Columns[$name] }
            [MatchingTestParquet]::Write($Path, [string[]] @($Columns.Keys), $values)
        }

        $print = Get-ImageFingerprint -LiteralPath $original -IncludeEmbedding
        $dimensions = $print.Embedding.Length
        # A unit vector far from the picture's: every component equal, with the signs of the picture's flipped.
        $other = [float[]] @($print.Embedding | ForEach-Object { if ($_ -ge 0) { [float] (-1 / [Math]::Sqrt($dimensions)) } else { [float] (1 / [Math]::Sqrt($dimensions)) } })

        # A clip-retrieval part: embeddings of row 0 = the picture's own (a re-post of it scraped as URL + vector), no pixels anywhere.
        $clip = Join-Path $TestDrive 'clip'
        $vectors = [float[][]]::new(2)
        $vectors[0] = [float[]] $print.Embedding
        $vectors[1] = $other
        New-HalfNpy -Path (Join-Path $clip 'img_emb/img_emb_0.npy') -Rows $vectors
        Write-TextParquet -Path (Join-Path $clip 'metadata/metadata_0.parquet') -Columns ([ordered]@{
                url = @('https://cdn.example/grapes-repost.jpg', 'https://cdn.example/other.jpg')
                caption = @('grapes', 'something else')
            })

        # A LAION-style URL list whose first row carries the picture's MD5 (LAION's md5 column), the second nothing but a URL.
        $md5 = (Get-FileHash -LiteralPath $original -Algorithm MD5).Hash.ToLowerInvariant()
        $laion = Join-Path $TestDrive 'laion/part-00000.parquet'
        Write-TextParquet -Path $laion -Columns ([ordered]@{
                url = @('https://laion.example/grapes.png', 'https://laion.example/apple.png')
                caption = @('grapes', 'apple')
                md5 = @($md5, $null)
            })

        $clipIndex = Join-Path $TestDrive 'clip.db'
        $null = Import-TrainingSet -Path $clip -IndexPath $clipIndex -ModelId $print.Model
        $clipFound = @(Find-TrainedImage -LiteralPath $original -IndexPath $clipIndex -IncludeSimilar -MinimumSimilarity 0)
        $laionIndex = Join-Path $TestDrive 'laion.db'
        $null = Import-TrainingSet -Path $laion -IndexPath $laionIndex
        $laionFound = @(Find-TrainedImage -LiteralPath $original -IndexPath $laionIndex -IncludeSimilar -MinimumSimilarity 0)
    }

    It 'reports a clip-retrieval row (URL + embedding, no pixels) at cosine 1 as Similar, not verified for want of an image, never Copy' {
        $hit = @($clipFound | Where-Object Url -EQ 'https://cdn.example/grapes-repost.jpg')
        $hit.Count | Should -Be 1 -Because (($clipFound | ForEach-Object { "$($_.Url) $($_.MatchKind) $($_.Verified)" }) -join '; ')
        $hit[0].Similarity | Should -BeGreaterThan 0.99
        $hit[0].MatchKind | Should -Be 'Similar'
        $hit[0].Verified | Should -BeLike 'not verified: the row has no local image*'
        $hit[0].Verification | Should -BeNullOrEmpty
        $hit[0].Image | Should -BeNullOrEmpty
        @($clipFound | Where-Object MatchKind -EQ 'Copy') | Should -BeNullOrEmpty
    }

    It 'reports a URL-only LAION row as Exact only through its md5 column (the same file: no pixels needed); a row with a URL alone is no candidate' {
        $laionFound.Count | Should -Be 1 -Because (($laionFound | ForEach-Object { "$($_.Url) $($_.MatchKind) $($_.Verified)" }) -join '; ')
        $laionFound[0].Url | Should -Be 'https://laion.example/grapes.png'
        $laionFound[0].MatchKind | Should -Be 'Exact'
        $laionFound[0].Verified | Should -Be 'same file'
        $laionFound[0].Image | Should -BeNullOrEmpty
    }
}

Describe 'A degenerate fit through Find-TrainedImage' -Skip:(-not ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
    BeforeAll {
        Import-Module $ModulePath -ErrorAction Stop
        function New-FlatIcon([string] $Path, [int] $Width, [int] $Height, [scriptblock] $Ink) {
            <# A flat two-colour icon: blue where $Ink says so, white elsewhere. #>
            $rgb = [byte[]]::new($Width * $Height * 3)
            [Array]::Fill($rgb, [byte] 255)
            for ($y = 0; $y -lt $Height; $y++) {
                for ($x = 0; $x -lt $Width; $x++) {
                    if (& $Ink $x $y) { $i = ($y * $Width + $x) * 3; $rgb[$i] = 20; $rgb[$i + 1] = 60; $rgb[$i + 2] = 160 }
                }
            }
            [System.IO.File]::WriteAllBytes($Path, (New-PngBytes -Width $Width -Height $Height -Rgb $rgb))
        }
        # Two icons of one repeated square: the query keeps the squares on diagonal bands only, the row is a
        # small block of them (3 by 2, of another shape: no direct stretch applies). Every square looks like
        # every other, so the keypoint matches pile onto a few squares and the fit RANSAC finds sits on 2
        # positions. (A row holding the whole grid contains the banded query under a turn and a mirror, and
        # is verified: the query's every square lies on one of its squares.)
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'icons') -Force
        New-FlatIcon -Path (Join-Path $folder 'squares.png') -Width 120 -Height 80 -Ink { param($x, $y) (($x % 40) -lt 14) -and (($y % 40) -lt 14) }
        $query = Join-Path $TestDrive 'banded-squares.png'
        New-FlatIcon -Path $query -Width 160 -Height 240 -Ink { param($x, $y) (($x % 40) -lt 14) -and (($y % 40) -lt 14) -and (($x + $y) % 80) -lt 60 }
        $index = Join-Path $TestDrive 'icons.db'
        $null = Import-TrainingSet -Path (Join-Path $TestDrive 'icons') -IndexPath $index
        $found = @(Find-TrainedImage -LiteralPath $query -IndexPath $index -IncludeSimilar -MinimumSimilarity 0)
        $plain = @(Find-TrainedImage -LiteralPath $query -IndexPath $index)
    }

    It 'verifies the other icon, rejects the collapsed fit, and says so' {
        $found.Count | Should -Be 1 -Because (($found | ForEach-Object { "$($_.Url) $($_.MatchKind) $($_.Verified)" }) -join '; ')
        $found[0].MatchKind | Should -Be 'Similar'
        $found[0].Verification.IsVerified | Should -BeFalse
        # The keypoint fit collapses (degenerate); the pixel search that runs after it finds no agreeing
        # alignment either. The last stage's reason is reported, and the detail keeps the keypoint reason.
        $found[0].Verification.Reason | Should -BeIn @('DegenerateFit', 'PixelsDisagree')
        $found[0].Verified | Should -BeIn @('no: degenerate fit', 'no: pixels disagree')
        $found[0].Verification.Detail | Should -Match 'degenerate fit: \d+ inliers on \d distinct query and \d distinct candidate positions'
    }

    It 'reports nothing without -IncludeSimilar' {
        @($plain | Where-Object MatchKind -EQ 'Copy') | Should -BeNullOrEmpty
    }
}
