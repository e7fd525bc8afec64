# The fingerprints find copies: imagededup's near-duplicate photos (shared reference data) and the
# sample artist's works against their altered copies (the sample generator).
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $nearDuplicates = (Join-Path $SharedDataPath 'near-duplicates')
    $nearDuplicatesAbsent = -not (Test-Path -LiteralPath (Join-Path $nearDuplicates 'ukbench00120.jpg'))
    $nearDuplicatesTitle = "Near-duplicates from imagededup's test set" +
        $(if ($nearDuplicatesAbsent) { " (skipped: $nearDuplicates is absent)" } else { '' })
    # The generator's alterations (src/OptOut.Samples/Alteration.cs), as file-name suffixes.
    $alterations = @('reencode', 'resize', 'crop', 'pad', 'watermark', 'gray', 'rotate', 'brightness') | ForEach-Object { @{ Alteration = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
}

Describe $nearDuplicatesTitle -Skip:$nearDuplicatesAbsent {
    BeforeAll {
        $names = 'ukbench00120.jpg', 'ukbench00120_resize.jpg', 'ukbench09268.jpg'
        $fp = @{}
        foreach ($f in Get-ImageFingerprint -LiteralPath ($names | ForEach-Object { Join-Path $NearDuplicatePath $_ }) -IncludeEmbedding) {
            $fp[(Split-Path -Leaf $f.Path)] = $f
        }
    }

    It 'gives ukbench00120.jpg the perceptual hash imagededup computes (9fee256239984d71)' {
        $fp['ukbench00120.jpg'].PerceptualHash | Should -BeExactly '9fee256239984d71'
    }

    It 'gives ukbench00120_resize.jpg the same hash (9fee256239984d71)' {
        $fp['ukbench00120_resize.jpg'].PerceptualHash | Should -BeExactly '9fee256239984d71'
    }

    It 'finds the resized copy closer in embedding to the original than an unrelated photo' {
        $original = $fp['ukbench00120.jpg'].Embedding
        $toResize = Get-Cosine $fp['ukbench00120_resize.jpg'].Embedding $original
        $toOther = Get-Cosine $fp['ukbench09268.jpg'].Embedding $original
        $toResize | Should -BeGreaterThan $toOther
        $toResize | Should -BeGreaterThan 0.9
    }
}

Describe 'Sample artworks and their altered copies' {
    BeforeAll {
        $artFiles = @(New-SampleImage -ModulePath $ModulePath -Kind artist -Destination (Join-Path $TestDrive 'art') -Count 3)
        $copyFiles = @(New-SampleImage -ModulePath $ModulePath -Kind copies -Destination (Join-Path $TestDrive 'copies') -Count 3)
        $originals = @($artFiles | Get-ImageFingerprint -IncludeEmbedding)
        $copies = @{}
        foreach ($f in $copyFiles | Get-ImageFingerprint -IncludeEmbedding) { $copies[(Split-Path -Leaf $f.Path)] = $f }

        function Get-CopyReport {
            # For copy i of each artwork: similarity / distance to its own original and to the others.
            param([string] $Alteration)
            for ($i = 0; $i -lt $originals.Count; $i++) {
                $copy = $copies['artwork-{0:00}-{1}.jpg' -f ($i + 1), $Alteration]
                $others = @(0..($originals.Count - 1) | Where-Object { $_ -ne $i })
                [pscustomobject]@{
                    Copy             = Split-Path -Leaf $copy.Path
                    OwnCosine        = Get-Cosine $copy.Embedding $originals[$i].Embedding
                    BestOtherCosine  = ($others | ForEach-Object { Get-Cosine $copy.Embedding $originals[$_].Embedding } | Measure-Object -Maximum).Maximum
                    OwnDistance      = Get-HashDistance $copy.PerceptualHash $originals[$i].PerceptualHash
                    NearestOtherDistance = ($others | ForEach-Object { Get-HashDistance $copy.PerceptualHash $originals[$_].PerceptualHash } | Measure-Object -Minimum).Minimum
                }
            }
        }
    }

    It 'has 3 originals and 24 copies to compare' {
        $originals.Count | Should -Be 3
        $copies.Count | Should -Be 24
    }

    It 'finds each <Alteration> copy closer in embedding to its own original than to any other' -ForEach $alterations {
        foreach ($row in Get-CopyReport $Alteration) {
            $row.OwnCosine | Should -BeGreaterThan $row.BestOtherCosine -Because "$($row.Copy): $($row | ConvertTo-Json -Compress)"
        }
    }

    It 'finds each <Alteration> copy nearer in perceptual hash to its own original than to any other' -ForEach @(
        @{ Alteration = 'resize' }
        @{ Alteration = 'reencode' }
    ) {
        foreach ($row in Get-CopyReport $Alteration) {
            $row.OwnDistance | Should -BeLessThan $row.NearestOtherDistance -Because "$($row.Copy): $($row | ConvertTo-Json -Compress)"
            $row.OwnDistance | Should -BeLessOrEqual 10
        }
    }
}
