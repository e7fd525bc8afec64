# Set-ImageReservation / Get-ImageReservation through the built module: files marked from the pipeline,
# read back by exiftool and by the gate's Signal rule, damaged files left alone.
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $haveExiftool = [bool](Get-Command exiftool -CommandType Application -ErrorAction SilentlyContinue)
    $haveC2paSample = Test-Path (Join-Path $script:SharedDataPath 'sample_c2pa.png')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -Force -ErrorAction Stop
    $exiftool = Get-Command exiftool -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $exifConfig = Join-Path $script:FixturePath 'signals/plus-datamining.config'

    function New-ArtFolder([string] $Name) {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name) -Force
        foreach ($fixture in 'progressive.jpg', 'base.png', 'lossy.webp', 'animated.gif') {
            Copy-Item (Join-Path $script:FixturePath $fixture) $folder
        }
        $folder
    }
}

Describe 'Set-ImageReservation' {
    It 'marks every file piped from Get-ChildItem, and Get-ImageReservation reads each back' {
        $art = New-ArtFolder 'art'
        $changes = Get-ChildItem $art -File | Set-ImageReservation -Creator 'Jane Doe' -PassThru
        @($changes).Count | Should -Be 4
        ($changes.Format | Sort-Object) -join ',' | Should -Be 'Gif,Jpeg,Png,Webp'
        $read = Get-ChildItem $art -File | Get-ImageReservation
        @($read | Where-Object ProhibitsTraining).Count | Should -Be 4
        $read.Value | Sort-Object -Unique | Should -Be 'DMI-PROHIBITED'
    }

    It "writes what exiftool reads as XMP-plus:DataMining in every format$(if (-not $haveExiftool) { ' (skipped: exiftool is not installed)' })" -Skip:(-not $haveExiftool) {
        $art = New-ArtFolder 'art-exiftool'
        Get-ChildItem $art -File | Set-ImageReservation -DataMining ProhibitedAiMlTraining
        $tags = & $exiftool -config $exifConfig -j -XMP-plus:DataMining (Get-ChildItem $art -File).FullName | ConvertFrom-Json
        @($tags).Count | Should -Be 4
        foreach ($tag in $tags) { $tag.DataMining | Should -Be 'http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING' -Because $tag.SourceFile }
    }

    It 'makes the gate''s Signal rule find every marked copy in a scraped folder' {
        $art = New-ArtFolder 'art-gate'
        $scraped = Join-Path $TestDrive 'scraped'
        Get-ChildItem $art -File | Set-ImageReservation -Destination $scraped
        $registry = Join-Path $TestDrive 'registry.db'
        $null = Add-OptOut -Url 'https://unrelated.example/a.jpg' -Claimant 'someone else' -RegistryPath $registry
        $violations = Test-TrainingSet $scraped -RegistryPath $registry
        @($violations | Where-Object Rule -eq Signal).Count | Should -Be 4
        # The originals were not touched.
        @(Get-ChildItem $art -File | Get-ImageReservation | Where-Object ProhibitsTraining).Count | Should -Be 0
    }

    It 'changes nothing under -WhatIf' {
        $art = New-ArtFolder 'art-whatif'
        $before = Get-ChildItem $art -File | Get-FileHash
        Get-ChildItem $art -File | Set-ImageReservation -WhatIf
        (Get-ChildItem $art -File | Get-FileHash).Hash | Should -Be $before.Hash
    }

    It 'refuses a damaged file with OptOut.ReservationWriteFailed, leaves it as it was, and marks the others' {
        $art = New-ArtFolder 'art-damaged'
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $art 'progressive.jpg'))
        $cut = Join-Path $art 'cut.jpg'
        [System.IO.File]::WriteAllBytes($cut, $bytes[0..($bytes.Length / 2)])
        $cutHash = (Get-FileHash $cut).Hash

        $changes = Get-ChildItem $art -File | Set-ImageReservation -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue

        @($changes).Count | Should -Be 4
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.ReservationWriteFailed*'
        $problems[0].Exception.Message | Should -BeLike '*cut.jpg*damaged or truncated*'
        (Get-FileHash $cut).Hash | Should -Be $cutHash
        @(Get-ChildItem $art -Force | Where-Object Name -like '*.tmp').Count | Should -Be 0
    }

    It 'refuses a second file of the same name under -Destination instead of overwriting its copy' {
        $one = New-ArtFolder 'one'
        $two = New-ArtFolder 'two'
        $out = Join-Path $TestDrive 'marked'
        $changes = Get-ChildItem $one, $two -File -Filter base.png | Set-ImageReservation -Destination $out -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue
        @($changes).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OptOut.DestinationExists*'
    }

    It "warns that a C2PA manifest's binding breaks$(if (-not $haveC2paSample) { ' (skipped: ../shared/data/sample_c2pa.png is absent)' })" -Skip:(-not $haveC2paSample) {
        $copy = Join-Path $TestDrive 'c2pa.png'
        Copy-Item (Join-Path $script:SharedDataPath 'sample_c2pa.png') $copy
        Set-ImageReservation -LiteralPath $copy -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join "`n") | Should -BeLike '*C2PA manifest*'
    }
}
