# RELATED LINKS of each cmdlet's help: the commands a user reaches for next, and the about topic.
# New-MamlHelp.ps1 fails the build when a cmdlet has fewer than two, or names a command that does not exist.
@{
    'Get-ImageFingerprint'    = @('Find-TrainedImage', 'Add-OptOut', 'New-EmbeddingModel', 'about_OptOut')
    'New-EmbeddingModel'      = @('Get-ImageFingerprint', 'Import-TrainingSet', 'Find-TrainedImage', 'about_OptOut')
    'Get-OptOutEnvironment'   = @('Get-TrainingSet', 'Get-OptOut', 'about_OptOut')
    'Import-TrainingSet'      = @('Get-TrainingSet', 'Find-TrainedImage', 'Test-TrainingSet', 'about_OptOut')
    'Get-TrainingSet'         = @('Import-TrainingSet', 'Find-TrainedImage', 'about_OptOut')
    'Find-TrainedImage'       = @('Get-ImageFingerprint', 'Add-OptOut', 'Import-TrainingSet', 'about_OptOut')
    'Add-OptOut'              = @('Find-TrainedImage', 'Get-OptOut', 'Remove-OptOut', 'Add-OptIn', 'Export-OptOutList', 'about_OptOut')
    'Add-OptIn'               = @('Add-OptOut', 'Get-OptOut', 'Test-TrainingSet', 'about_OptOut')
    'Get-OptOut'              = @('Add-OptOut', 'Remove-OptOut', 'Export-OptOutList', 'Get-OptOutHistory', 'about_OptOut')
    'Remove-OptOut'           = @('Get-OptOut', 'Add-OptOut', 'Get-OptOutHistory', 'about_OptOut')
    'Export-OptOutList'       = @('Import-OptOutList', 'Get-OptOut', 'about_OptOut')
    'Import-OptOutList'       = @('Export-OptOutList', 'Get-OptOut', 'Get-OptOutHistory', 'about_OptOut')
    'Get-OptOutHistory'       = @('Get-OptOut', 'Remove-OptOut', 'about_OptOut')
    'Copy-OptOutRegistry'     = @('Export-OptOutList', 'Import-OptOutList', 'Get-OptOutHistory', 'about_OptOut')
    'Test-TrainingSet'        = @('Export-CleanTrainingSet', 'Add-OptOut', 'Add-OptIn', 'about_OptOut')
    'Export-CleanTrainingSet' = @('Test-TrainingSet', 'Get-OptOut', 'about_OptOut')
    'Set-ImageReservation'    = @('Get-ImageReservation', 'Test-TrainingSet', 'Add-OptOut', 'about_OptOut')
    'Get-ImageReservation'    = @('Set-ImageReservation', 'Test-TrainingSet', 'about_OptOut')
    'New-SiteReservation'     = @('Test-SiteReservation', 'Set-ImageReservation', 'about_OptOut')
    'Test-SiteReservation'    = @('New-SiteReservation', 'Test-TrainingSet', 'about_OptOut')
}
