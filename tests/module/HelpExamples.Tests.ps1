# Every example in Get-Help -Examples runs, in a sandbox that holds the files and data the examples
# name (~/art, ./my-download, urls.txt, ...), in a fresh process whose '~' and OPTOUT_HOME point into
# it (the FileSystem provider's home is the sandbox's); an example passes when it ends without an error
# record. The documented subset not run is HelpExamples.NotRun.psd1, each with its reason.
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $examples = @(Get-HelpExample)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    $sandbox = Join-Path $TestDrive 'sandbox'
    $sandboxHome = Join-Path $sandbox 'home'
    $work = Join-Path $sandbox 'work'
    $null = New-Item -ItemType Directory -Path (Join-Path $sandboxHome 'art'), $work -Force
    $samples = Get-SampleGenerator $ModulePath
    $null = & dotnet $samples artist (Join-Path $sandboxHome 'art') 2
    $null = & dotnet $samples trainingset (Join-Path $work 'my-download') 10 2
    $copies = Join-Path $sandbox 'copies'
    $null = & dotnet $samples copies $copies 1
    Copy-Item (Join-Path $script:FixturePath 'progressive.jpg') (Join-Path $sandboxHome 'art/photo.jpg')
    Copy-Item (Join-Path $script:FixturePath 'lossy.webp') (Join-Path $sandboxHome 'art/drawing.webp')
    Copy-Item (Join-Path $sandboxHome 'art/artwork-01.png') (Join-Path $work 'original.png')
    Copy-Item (Get-ChildItem $copies -Filter '*resize*' | Select-Object -First 1).FullName (Join-Path $work 'copy.jpg')
    Copy-Item (Join-Path $script:FixturePath 'base.png') (Join-Path $work 'work.png')
    Copy-Item (Join-Path $script:FixturePath 'progressive.jpg') (Join-Path $work 'work.jpg')
    Copy-Item (Join-Path $work 'my-download') (Join-Path $work 'data') -Recurse
    $parquet = Join-Path $work 'my-download/00000.parquet'
    Copy-Item $parquet (Join-Path $work 'part-00000.parquet')
    foreach ($folder in 'laion-part', 'laion2B-en') {
        $null = New-Item -ItemType Directory -Path (Join-Path $work $folder)
        Copy-Item $parquet (Join-Path $work "$folder/part-00000.parquet")
    }
    Set-Content (Join-Path $work 'urls.txt') "# my works`nhttps://example.com/art/2.jpg`nhttps://uploads.artforum.example/repost/artwork-01-gray.jpg`n"

    # The state the examples assume: an index with a scraped set, a registry with Jane Doe's claims,
    # lists to import and a site copy to test. Then every example, in one process, in order.
    $runner = @'
param($Work, $ModulePath, $ExamplesJson, $ResultPath, $SandboxHome)
$ErrorActionPreference = 'Continue'
# '~' in the examples is the sandbox's home (the process keeps its HOME: dotnet finds its tools there).
(Get-PSProvider FileSystem).Home = $SandboxHome
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Set-Location $Work
$null = Import-TrainingSet ./my-download -Name scraped-2026
$null = Add-OptOut -Url https://example.com/a.jpg, https://example.com/art/1.jpg -Claimant 'Jane Doe' -InformationAction Ignore
Export-OptOutList ./partner-optouts.json
Export-OptOutList ./backup.csv -IncludeRevoked
$null = New-SiteReservation ./site-copy
# A review as a match report's "Export decisions (JSON)" writes it: one match marked mine, one not.
$review = @(Find-TrainedImage ~/art/artwork-01.png | Where-Object Url -Like 'http*' | Select-Object -First 2)
$decisions = for ($i = 0; $i -lt $review.Count; $i++) {
    $m = $review[$i]
    [ordered]@{ id = $i; decision = @('mine', 'not-mine')[$i]; query = $m.Query; querySha256 = $m.QuerySha256; dataset = $m.Dataset; key = $m.Key; url = $m.Url
        caption = $m.Caption; width = $m.Width; height = $m.Height; matchKind = $m.MatchKind; similarity = $m.Similarity; hashDistance = $m.HashDistance; sha256 = $m.Sha256 }
}
[ordered]@{ format = 'optout-match-review'; version = 1; title = 'examples'; claimant = 'Jane Doe'; exported = '2026-01-01T00:00:00Z'; decisions = @($decisions) } |
    ConvertTo-Json -Depth 4 | Set-Content ./decisions.json
$Error.Clear()
$results = [ordered]@{}
foreach ($example in (ConvertFrom-Json $ExamplesJson)) {
    $Error.Clear()
    $problem = $null
    try { $null = & ([scriptblock]::Create($example.Code)) *>&1 }
    catch { $problem = "$_" }
    if (-not $problem -and $Error.Count) { $problem = ($Error | ForEach-Object { "$_" }) -join ' | ' }
    $results[$example.Id] = $problem
}
$results | ConvertTo-Json | Set-Content $ResultPath
'@
    $runnerPath = Join-Path $sandbox 'run-examples.ps1'
    Set-Content $runnerPath $runner
    $toRun = @(Get-HelpExample | Where-Object { -not $_.Skip } | ForEach-Object { @{ Id = $_.Id; Code = $_.Code } })
    $resultPath = Join-Path $sandbox 'results.json'
    $saved = $env:OPTOUT_HOME
    $env:OPTOUT_HOME = Join-Path $sandboxHome '.optout'
    Push-Location $script:RepoRoot
    try {
        $runOutput = & dotnet pwsh -NoProfile -NonInteractive -File $runnerPath $work $ModulePath (ConvertTo-Json -InputObject $toRun -Compress) $resultPath $sandboxHome 2>&1 | ForEach-Object { "$_" }
    }
    finally {
        Pop-Location
        $env:OPTOUT_HOME = $saved
    }
    $results = if (Test-Path $resultPath) { Get-Content -Raw $resultPath | ConvertFrom-Json -AsHashtable } else { @{} }
}

Describe 'Get-Help -Examples' {
    It '<Id> runs without an error' -ForEach @($examples | Where-Object { -not $_.Skip }) {
        $results.Keys | Should -Contain $Id -Because "the runner wrote no result for it: $($runOutput -join "`n")"
        $results[$Id] | Should -BeNullOrEmpty -Because "the example was: $Code"
    }

    It '<Id> is not run<Why>' -ForEach @($examples | Where-Object { $_.Skip }) -Skip {
    }
}
