@{
    RootModule           = 'OptOut.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b7c2e-4d1a-4a8e-9c53-2f1de0a7b9c4'
    Author               = 'OptOut contributors'
    CompanyName          = 'OptOut'
    Copyright            = '(c) OptOut contributors. MIT licence.'
    Description          = 'Find out whether your images are in AI training sets, and take them out: content fingerprints, a local training-set index, and an auditable consent registry.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('OptOut.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-ImageFingerprint'
        'New-EmbeddingModel'
        'Get-OptOutEnvironment'
        'Import-TrainingSet'
        'Get-TrainingSet'
        'Find-TrainedImage'
        'Add-OptOut'
        'Add-OptIn'
        'Get-OptOut'
        'Remove-OptOut'
        'Export-OptOutList'
        'Import-OptOutList'
        'Get-OptOutHistory'
        'Copy-OptOutRegistry'
        'Test-TrainingSet'
        'Export-CleanTrainingSet'
        'Set-ImageReservation'
        'Get-ImageReservation'
        'New-SiteReservation'
        'Test-SiteReservation'
        'Export-MatchReport'
        'Import-MatchReview'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AI', 'OptOut', 'Consent', 'LAION', 'Dataset', 'Fingerprint', 'PerceptualHash')
            # MIT: the LICENSE file ships in the module folder. LicenseUri, ProjectUri and HelpInfoUri
            # are left out until the project has a public address to point them at.
            ReleaseNotes = @'
0.1.0
- Fingerprints (SHA-256, perceptual hash, embedding) with the bundled ResNet18 or any ONNX image encoder.
- A local training-set index: LAION parquet, img2dataset files and webdataset tars, clip-retrieval
  embeddings and image folders; search by picture, caption, URL and domain.
- A consent registry: refusals and grants by URL, domain or content, append-only and audited;
  CSV, JSON, Parquet and URL-list exchange.
- The training-set gate: Test-TrainingSet (JUnit report, -Quiet) and Export-CleanTrainingSet, failing
  closed, never writing over the registry, the index or the inputs.
'@
        }
    }
}
