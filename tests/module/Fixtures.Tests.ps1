# Decoding files written by other encoders (tests/fixtures, made by tests/fixtures/make-fixtures.sh
# with ImageMagick, cjpeg, cwebp and exiftool): every format and pixel layout the module claims to
# read must give the same picture as base.png, upright and flattened onto white.
param([string] $ModulePath)

BeforeDiscovery {
    # file, expected Format, and whether its picture is base.png's (so its hash must be near base's).
    $formats = @(
        @{ File = 'progressive.jpg'; Format = 'JPEG'; What = 'a progressive JPEG (cjpeg)' }
        @{ File = 'cmyk.jpg'; Format = 'JPEG'; What = 'a CMYK (Adobe, 4-component) JPEG' }
        @{ File = 'exif-orientation-6.jpg'; Format = 'JPEG'; What = 'a JPEG with EXIF Orientation 6' }
        @{ File = 'rgb16.png'; Format = 'PNG'; What = 'a 16-bit RGB PNG' }
        @{ File = 'palette.png'; Format = 'PNG'; What = 'a palette PNG' }
        @{ File = 'gray.png'; Format = 'PNG'; What = 'a grayscale PNG' }
        @{ File = 'lossy.webp'; Format = 'WEBP'; What = 'a lossy WebP (cwebp)' }
        @{ File = 'animated.gif'; Format = 'GIF'; What = 'an animated two-frame GIF' }
        @{ File = 'bmp24.bmp'; Format = 'BMP'; What = 'a 24-bit BMP' }
        @{ File = 'lzw.tif'; Format = 'TIFF'; What = 'an LZW TIFF' }
        @{ File = 'rgba.png'; Format = 'PNG'; What = 'an RGBA PNG with transparency' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    $fixtureFiles = Get-ChildItem -LiteralPath $FixturePath -File | Where-Object Extension -NE '.sh' | Where-Object Extension -NE '.md'
    $errors = $null
    $all = $fixtureFiles | Get-ImageFingerprint -IncludeEmbedding -ErrorVariable errors -ErrorAction SilentlyContinue
    $fingerprintErrors = $errors
    $byName = @{}
    foreach ($f in $all) { $byName[(Split-Path -Leaf $f.Path)] = $f }
    $base = $byName['base.png']
    # Lossy encoders and a different gray conversion move a few low-frequency coefficients across
    # the median; an unrelated picture is 20 or more bits away.
    $nearBits = 6
}

Describe 'Fixtures from independent encoders' {
    It 'decodes every fixture without an error' {
        $fingerprintErrors | Should -BeNullOrEmpty
        $all.Count | Should -Be $fixtureFiles.Count
        $base | Should -Not -BeNullOrEmpty
        $base.Format | Should -Be 'PNG'
    }

    It 'keeps every fixture under 20 KB' {
        $fixtureFiles | Where-Object Length -GT 20KB | ForEach-Object Name | Should -BeNullOrEmpty
    }

    It 'reads <What> (<File>) as <Format>, 64 x 48' -ForEach $formats {
        $fp = $byName[$File]
        $fp | Should -Not -BeNullOrEmpty -Because "$File should have been fingerprinted"
        $fp.Format | Should -BeExactly $Format
        $fp.Width | Should -Be 64
        $fp.Height | Should -Be 48
        $fp.Sha256 | Should -BeExactly (Get-FileHash -LiteralPath (Join-Path $FixturePath $File) -Algorithm SHA256).Hash.ToLowerInvariant()
    }

    It 'sees the picture of base.png in <What> (<File>)' -ForEach ($formats | Where-Object File -NE 'rgba.png') {
        $distance = Get-HashDistance $byName[$File].PerceptualHash $base.PerceptualHash
        $distance | Should -BeLessOrEqual $nearBits -Because "$File holds base.png's picture (hash $($byName[$File].PerceptualHash) vs $($base.PerceptualHash))"
    }

    It 'tells an unrelated picture apart (negative control: frame2.png is far from base.png)' {
        Get-HashDistance $byName['frame2.png'].PerceptualHash $base.PerceptualHash | Should -BeGreaterThan 20
    }
}

Describe 'EXIF orientation' {
    It 'reports Width and Height swapped relative to the stored pixels for Orientation 6' {
        $path = Join-Path $FixturePath 'exif-orientation-6.jpg'
        $stored = Get-JpegFrameSize $path
        $stored.Width | Should -Be 48
        $stored.Height | Should -Be 64
        $fp = $byName['exif-orientation-6.jpg']
        $fp.Width | Should -Be $stored.Height
        $fp.Height | Should -Be $stored.Width
    }

    It 'turns the picture the right way (clockwise), so it matches base.png and not its upside-down form' {
        # Turning the stored pixels anticlockwise instead would give base.png rotated 180 degrees.
        $fp = $byName['exif-orientation-6.jpg']
        Get-HashDistance $fp.PerceptualHash $base.PerceptualHash | Should -BeLessOrEqual $nearBits
        Get-Cosine $fp.Embedding $base.Embedding | Should -BeGreaterThan 0.9
    }
}

Describe 'Animated GIF' {
    It 'fingerprints the first frame, not the second' {
        $gif = $byName['animated.gif']
        $frame2 = $byName['frame2.png']
        Get-HashDistance $gif.PerceptualHash $base.PerceptualHash | Should -BeLessOrEqual $nearBits
        Get-HashDistance $gif.PerceptualHash $frame2.PerceptualHash | Should -BeGreaterThan 20
        (Get-Cosine $gif.Embedding $base.Embedding) | Should -BeGreaterThan (Get-Cosine $gif.Embedding $frame2.Embedding)
    }
}

Describe 'Transparency' {
    It 'treats the transparent half of rgba.png as white (same fingerprint as ImageMagick flattening it onto white)' {
        $rgba = $byName['rgba.png']
        $flat = $byName['rgba-on-white.png']
        $rgba.PerceptualHash | Should -BeExactly $flat.PerceptualHash
        Get-Cosine $rgba.Embedding $flat.Embedding | Should -BeGreaterThan 0.99999
    }

    It 'does not ignore alpha (the colours hidden under the transparent half would give base.png''s picture)' {
        Get-HashDistance $byName['rgba.png'].PerceptualHash $base.PerceptualHash | Should -BeGreaterThan $nearBits
    }

    It 'fingerprints a fully transparent image (hidden colour dark red) like an all-white one' {
        $byName['transparent.png'].PerceptualHash | Should -BeExactly $byName['white.png'].PerceptualHash
        Get-Cosine $byName['transparent.png'].Embedding $byName['white.png'].Embedding | Should -BeGreaterThan 0.99999
    }
}
