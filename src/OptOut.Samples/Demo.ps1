<#
.SYNOPSIS
    The README's main job on the bundled sample: a sample artist's works, a scraped training set
    (img2dataset layout) holding altered re-posts of them, and what the module finds of them.
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
$imported = Import-TrainingSet $trainingSet -Name scraped-2026
$imported | Format-Table | Out-Host
'   Skipped {0} row(s): img2dataset lists downloads that failed (status other than success); they hold no image and are not training samples.' -f $imported.Skipped | Write-Host
Get-TrainingSet | Format-Table | Out-Host

Step '3. Importing the same shard again adds nothing'
Import-TrainingSet $trainingSet -Name scraped-2026 | Select-Object Dataset, Rows, ShardsAlreadyImported | Format-Table | Out-Host

Step "4. Is the artist's work in there? Each work searched by its picture, and what was missed"
$found = Get-ChildItem $artist -File | Find-TrainedImage
$found | Format-Table | Out-Host
# The sample set's captions name its re-posts ("artwork 1 by jane doe (gray)"): the truth to compare with.
$reposts = @(Find-TrainedImage -Text '"jane doe"' | Where-Object Caption -match 'artwork (\d+) by jane doe \((\w+)\)' | ForEach-Object {
    [pscustomobject]@{ Work = [int]$Matches[1]; Alteration = $Matches[2]; Key = $_.Key }
})
$totalFound = 0
foreach ($work in (Get-ChildItem $artist -File | Sort-Object Name)) {
    $number = [int]($work.BaseName -replace '\D', '')
    $expected = @($reposts | Where-Object Work -eq $number)
    $results = @($found | Where-Object { (Split-Path $_.Query -Leaf) -eq $work.Name })
    $copies = @($results | Where-Object MatchKind -in 'Exact', 'Copy')
    $hits = @($expected | Where-Object Key -in $copies.Key)
    $totalFound += $hits.Count
    $line = '   {0}: {1} of {2} re-posts found as copies ({3})' -f $work.Name, $hits.Count, $expected.Count, (($hits.Alteration) -join ', ')
    foreach ($miss in ($expected | Where-Object Key -notin $copies.Key)) {
        $similar = $results | Where-Object Key -eq $miss.Key | Select-Object -First 1
        $line += if ($similar) { '; missed {0} (returned as {1}, similarity {2:N3})' -f $miss.Alteration, $similar.MatchKind, $similar.Similarity }
                 else { '; missed {0} (not returned)' -f $miss.Alteration }
    }
    $others = @($copies | Where-Object Key -notin $expected.Key)
    if ($others) { $line += '; {0} other row(s) called copies: review them' -f $others.Count }
    Write-Host $line
}
'   In all: {0} of {1} re-posts found as copies. Misses are the copy rule''s known limits (docs/copy-detection.md): check Similar rows by eye.' -f $totalFound, $reposts.Count | Write-Host

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

Step "13. Reservations at the source: the artist marks her files (IPTC plus:DataMining, written losslessly)"
$marked = Join-Path $WorkPath 'artist-marked'
Get-ChildItem $artist -File | Set-ImageReservation -Destination $marked -Creator 'Jane Doe' -PassThru |
    Select-Object @{ n = 'File'; e = { Split-Path $_.Destination -Leaf } }, Format, DataMining, UpdatedExistingXmp | Format-Table | Out-Host
Get-ChildItem $marked -File | Get-ImageReservation | Select-Object @{ n = 'File'; e = { Split-Path $_.Path -Leaf } }, ProhibitsTraining, Value | Format-Table | Out-Host
# A later scrape copies the marked files as they are: the gate's Signal rule finds the reservation in each.
$rescraped = Join-Path $WorkPath 'rescraped-set'
$null = New-Item -ItemType Directory -Path $rescraped
Get-ChildItem $marked -File | Copy-Item -Destination $rescraped
$signals = @(Test-TrainingSet $rescraped | Where-Object Rule -eq Signal)
'   Test-TrainingSet on a scrape of the marked files: {0} Signal finding(s) for {1} file(s)' -f $signals.Count, @(Get-ChildItem $rescraped -File).Count | Write-Host

Step '14. ...and on her site: robots.txt (merged), ai.txt, TDMRep and header snippets'
$site = Join-Path $WorkPath 'site'
$null = New-Item -ItemType Directory -Path $site
Set-Content (Join-Path $site 'robots.txt') "User-agent: *`nDisallow: /drafts/`n" -NoNewline
New-SiteReservation $site -SitePath '/gallery/' | ForEach-Object { '   wrote {0}' -f $_.FullName.Substring($site.Length + 1) } | Write-Host
'https://jane-doe.example/gallery/artwork-01.png', 'https://jane-doe.example/about' | Test-SiteReservation $site |
    Select-Object Url, Reserved, @{ n = 'ReservedBy'; e = { $_.ReservedBy -join ', ' } } | Format-Table | Out-Host

Step "15. The visual match report: her works beside every copy found, to review and attach to a claim"
$matchReport = Join-Path $WorkPath 'match-report.html'
@(Get-ChildItem $artist -File) + @($found) + @($violations) | Export-MatchReport $matchReport -Claimant 'Jane Doe' -Title "Jane Doe's works in scraped-2026"
'   Open it in a browser: {0}' -f $matchReport | Write-Host
'   Mark each match "mine" or "not mine", export the decisions, then: Import-MatchReview decisions.json | Add-OptOut -Claimant ''Jane Doe''' | Write-Host
