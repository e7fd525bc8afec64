# Loads the module's assemblies into a private AssemblyLoadContext (see src/OptOut.Loader) so that its
# dependencies and native libraries come from bin/ and never clash with what the session already has.
$binDirectory = Join-Path $PSScriptRoot 'bin'

# The loader lives in the default context; loading it twice in one process is a no-op.
if (-not ('OptOut.Loader.ModuleLoadContext' -as [type])) {
    Add-Type -Path (Join-Path $binDirectory 'OptOut.Loader.dll')
}

$mainAssembly = [OptOut.Loader.ModuleLoadContext]::LoadMainAssembly((Join-Path $binDirectory 'OptOut.dll'))
$innerModule = Import-Module -Assembly $mainAssembly -PassThru -ErrorAction Stop

# On Import-Module -Force the nested binary module is not re-exported by itself
# (PowerShell/PowerShell#20710), so its cmdlets are added to this module's exports explicitly.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
    'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $innerModule.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
