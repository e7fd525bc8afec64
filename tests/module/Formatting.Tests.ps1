# The default views (OptOut.Format.ps1xml): tables fit 120 columns and keep what tells rows apart
# (the URL's host and file name, the query's file name, the key) when the text is long.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -Force -ErrorAction Stop
    $longUrl = 'https://images.cdn.example-gallery.com/uploads/2024/05/some/very/deep/folder/structure/that/goes/on/artwork-final-v2.jpg'

    function Get-TableLine([object[]] $InputObject, [int] $Width) {
        @(($InputObject | Format-Table | Out-String -Width $Width) -split "`r?`n" | Where-Object { $_.Trim() })
    }
}

Describe 'DisplayText' {
    It 'keeps the host and the file name of a long URL and drops the scheme' {
        $text = [OptOut.Formatting.DisplayText]::Url($longUrl, 56)
        $text.Length | Should -BeLessOrEqual 56
        $text | Should -BeLike 'images.cdn.example-gallery.com/*'
        $text | Should -BeLike '*/artwork-final-v2.jpg'
        [OptOut.Formatting.DisplayText]::Url('https://a.example/x.jpg', 56) | Should -Be 'a.example/x.jpg'
    }

    It 'elides the middle when host and file name do not both fit' {
        $text = [OptOut.Formatting.DisplayText]::Url($longUrl, 24)
        $text.Length | Should -Be 24
        $text | Should -BeLike 'images*'
        $text | Should -BeLike '*v2.jpg'
    }

    It 'makes captions one line' {
        [OptOut.Formatting.DisplayText]::OneLine("a`r`nb`tc", 10) | Should -Be 'a b c'
        [OptOut.Formatting.DisplayText]::OneLine('x' * 30, 10).Length | Should -Be 10
    }
}

Describe 'Table views fit 120 columns' {
    It 'shows matches with the query file name, the key and the distinguishing end of the URL' {
        $match = [OptOut.TrainedImageMatch]@{
            Query = '/home/jane/art/2024/a-rather-long-artwork-file-name.png'; QuerySha256 = 'ab' * 32
            Dataset = 'laion2B-en-part-00042'; Key = '000123456789'; Url = $longUrl
            MatchKind = 'Copy'; Similarity = 0.9312; HashDistance = 6; Verified = 'yes (stretch)'
        }
        $lines = Get-TableLine $match 120
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $row = $lines[-1]
        # The URL column is sized to the host's width: at least its host's start and its file name's end show.
        $row | Should -BeLike '*images.*v2.jpg*'
        $row | Should -BeLike '*Copy*'
        $row | Should -BeLike '*0.931*'
        $row | Should -BeLike '*.png*'
    }

    It 'keeps the query, the kind, the verification and the dataset readable at 80 columns' {
        $match = [OptOut.TrainedImageMatch]@{ Query = '/art/cat.png'; QuerySha256 = 'ab' * 32; Dataset = 'scraped'; Key = '00042'; Url = $longUrl; MatchKind = 'Copy'; Similarity = 0.95; Verified = 'yes (34 inliers, mirrored)' }
        $row = (Get-TableLine $match 80)[-1]
        $row.Length | Should -BeLessOrEqual 80
        $row | Should -BeLike 'cat.png*Copy*yes (*mirrored)*scraped*'
    }

    It 'shows consent records with the elided target' {
        $registry = Join-Path $TestDrive 'registry.db'
        $null = Add-OptOut -Url $longUrl -Claimant 'Jane Doe with a long studio name' -RegistryPath $registry
        $record = Get-OptOut -RegistryPath $registry
        $lines = Get-TableLine $record 120
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $lines[-1] | Should -BeLike '*images*v2.jpg*'
    }
}
