<#
.SYNOPSIS
    The README's main job on the bundled sample: a sample artist's works, a scraped training set
    (img2dataset layout) holding altered re-posts of them, and the module finding every copy.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

# Everything the demo writes stays under out/demo, including the index (OPTOUT_HOME).
if (Test-Path $WorkPath) { Remove-Item $WorkPath -Recurse -Force }
$env:OPTOUT_HOME = Join-Path $WorkPath 'home'
$samples = Join-Path (Split-Path $ModulePath) 'samples/OptOut.Samples.dll'
$artist = Join-Path $WorkPath 'artist'
$trainingSet = Join-Path $WorkPath 'scraped-set'
$null = dotnet $samples artist $artist 4
$null = dotnet $samples trainingset $trainingSet 40 4

function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Green }

Step "1. The artist's own files, fingerprinted (SHA-256, perceptual hash, embedding)"
Get-ChildItem $artist -File | Get-ImageFingerprint | Format-Table | Out-Host

Step '2. Import a scraped training set (img2dataset files layout: images, captions, JSON, parquet)'
Import-TrainingSet $trainingSet -Name scraped-2026 | Format-Table | Out-Host
Get-TrainingSet | Format-Table | Out-Host

Step '3. Importing the same shard again adds nothing'
Import-TrainingSet $trainingSet -Name scraped-2026 | Select-Object Dataset, Rows, ShardsAlreadyImported | Format-Table | Out-Host

Step "4. Is the artist's work in there? Every copy of each work, whatever was done to it"
$found = Get-ChildItem $artist -File | Find-TrainedImage
$found | Format-Table | Out-Host
$found | Group-Object { Split-Path $_.Query -Leaf } | ForEach-Object {
    Write-Host ("   {0}: {1} copies found ({2})" -f $_.Name, $_.Count, (($_.Group | ForEach-Object { ($_.Url -split '-')[-1] -replace '\.jpg$' }) -join ', '))
}

Step '5. The same set searched by caption, domain and URL'
Find-TrainedImage -Text '"jane doe"' | Select-Object Key, Caption | Format-Table | Out-Host
Find-TrainedImage -Domain artforum.example | Select-Object Key, Url | Format-Table | Out-Host
$url = ($found | Select-Object -First 1).Url
Find-TrainedImage -Url ($url -replace '^https://', 'HTTPS://' -replace '\.example/', '.EXAMPLE:443/') | Select-Object MatchKind, Url | Format-Table | Out-Host

Step "6. Opt the artist's works out: every copy at once, with provenance (who, why, evidence)"
Get-ChildItem $artist -File | Find-TrainedImage -Top 1 | Add-OptOut -IncludeCopies -Claimant 'Jane Doe' -Reason 'No consent to AI training'
# Content claims on her own files cover copies at any URL, in datasets checked later too.
Add-OptOut -Path (Join-Path $artist '*.png') -Claimant 'Jane Doe' -Reason 'No consent to AI training'
Get-OptOut -Claimant 'Jane Doe' | Format-Table | Out-Host
Get-OptOut -Claimant 'Jane Doe' -Kind Url | Select-Object -First 3 MatchedUrl, EvidenceFile, MatchKind, Similarity | Format-Table | Out-Host

Step '7. Idempotent: the same claims again change nothing'
$before = @(Get-OptOut).Count
Get-ChildItem $artist -File | Find-TrainedImage | Add-OptOut -Claimant 'Jane Doe' -Reason 'No consent to AI training'
'   records before: {0}, after: {1}' -f $before, @(Get-OptOut).Count | Write-Host

Step '8. Export the list for others (Parquet with content fingerprints, and a plain URL list)'
$exports = Join-Path $WorkPath 'exports'
$null = New-Item -ItemType Directory -Path $exports
Export-OptOutList (Join-Path $exports 'jane-doe.parquet') -PassThru | Format-Table Name, Length | Out-Host
Export-OptOutList (Join-Path $exports 'jane-doe-urls.txt') -Format UrlList -PassThru | Format-Table Name, Length | Out-Host
Get-Content (Join-Path $exports 'jane-doe-urls.txt') | Select-Object -First 5 | ForEach-Object { Write-Host "   $_" }

Step '9. The audit log'
Get-OptOutHistory | Select-Object -Last 5 | Format-Table | Out-Host

Step '10. The CI gate: is the training set clean? (it is not: her works are still in it)'
$report = Join-Path $WorkPath 'junit.xml'
$violations = Test-TrainingSet $trainingSet -ReportPath $report
$violations | Format-Table | Out-Host
$violations | Group-Object Rule | Select-Object Name, Count | Format-Table | Out-Host
'   Test-TrainingSet -Quiet: {0}; JUnit report: {1} ({2} failing shard(s))' -f (Test-TrainingSet $trainingSet -Quiet), $report,
    ([xml](Get-Content $report -Raw)).testsuites.failures | Write-Host

Step '11. Write the cleaned copy (same layout, atomically) with a removal report'
$clean = Join-Path $WorkPath 'scraped-set-clean'
Export-CleanTrainingSet $trainingSet $clean | Format-List Dataset, Rows, Kept, Removed, ViolationsByRule, RemovalReport | Out-Host
Import-Csv "$clean.removed.csv" | Select-Object -First 4 Key, Rule, Claimant, Url | Format-Table | Out-Host

Step '12. The gate again, on the cleaned copy: it passes'
'   Test-TrainingSet (clean copy) -Quiet: {0}' -f (Test-TrainingSet $clean -Quiet) | Write-Host
