<#
.SYNOPSIS
    Writes the module's MAML help from OptOut.help.psd1 and the cmdlets' own parameter metadata.
.DESCRIPTION
    platyPS is not available here, so help text lives in a data file and syntax comes from the
    compiled cmdlets, which keeps the two from drifting apart. A cmdlet or parameter without text
    fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpData,
    [Parameter(Mandatory)] [string] $RelatedLinksData,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$module = Import-Module $ModulePath -PassThru
$help = Import-PowerShellDataFile $HelpData
$relatedLinks = Import-PowerShellDataFile $RelatedLinksData
# -WhatIf and -Confirm are documented where a cmdlet takes them, like any other parameter, so SYNTAX shows them.
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$shouldProcessText = @{
    WhatIf  = 'Shows what the command would do without doing it.'
    Confirm = 'Asks for confirmation before each change. Scripts that run without a person at the keyboard pass -Confirm:$false where a command asks by default.'
}
$problems = [System.Collections.Generic.List[string]]::new()

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$null = New-Item -ItemType Directory -Path (Split-Path $OutputPath) -Force
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)

function Write-Para([string] $Text) {
    foreach ($paragraph in ($Text -split "\r?\n\s*\r?\n")) {
        $writer.WriteElementString('para', $maml, ($paragraph -replace '\s*\r?\n\s*', ' ').Trim())
    }
}

# The type as a person writes it: int for Nullable`1[Int32], string[] for String[], never a CLR backtick name.
function Get-TypeDisplayName([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { return Get-TypeDisplayName $underlying }
    if ($Type.IsArray) { return (Get-TypeDisplayName $Type.GetElementType()) + '[]' }
    $accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')::Get
    $short = $accelerators.GetEnumerator() | Where-Object { $_.Value -eq $Type -and $_.Key -cmatch '^[a-z]' } |
        Sort-Object { $_.Key.Length } | Select-Object -First 1
    if ($short) { return $short.Key }
    if ($Type.IsGenericType) {
        $arguments = $Type.GetGenericArguments() | ForEach-Object { Get-TypeDisplayName $_ }
        return ($Type.Name -replace '`\d+$', '') + '[' + ($arguments -join ', ') + ']'
    }
    $Type.Name
}

function Get-ParameterText($Text, [string] $Name) {
    $value = if ($Text.Parameters) { $Text.Parameters[$Name] } else { $null }
    if (-not $value) { $value = $shouldProcessText[$Name] }
    "$value"
}

function Write-Parameter($Name, $Metadata, $SetMetadata, [string] $Text) {
    $writer.WriteStartElement('command', 'parameter', $command)
    $writer.WriteAttributeString('required', "$($SetMetadata.IsMandatory)".ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', "$($Metadata.ParameterType.IsArray)".ToLowerInvariant())
    $globbing = [bool]($Metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $writer.WriteAttributeString('globbing', "$globbing".ToLowerInvariant())
    $pipeline = @()
    if ($SetMetadata.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($SetMetadata.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $writer.WriteAttributeString('position', $(if ($SetMetadata.Position -ge 0) { "$($SetMetadata.Position)" } else { 'named' }))
    $writer.WriteAttributeString('aliases', $(if ($Metadata.Aliases.Count) { $Metadata.Aliases -join ', ' } else { 'none' }))
    $writer.WriteElementString('name', $maml, $Name)
    $writer.WriteStartElement('description', $maml); Write-Para $Text; $writer.WriteEndElement()
    $typeName = Get-TypeDisplayName $Metadata.ParameterType
    if ($Metadata.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $writer.WriteStartElement('command', 'parameterValue', $command)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', "$($Metadata.ParameterType.IsArray)".ToLowerInvariant())
        $writer.WriteString($typeName)
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('type', $dev); $writer.WriteElementString('name', $maml, $typeName); $writer.WriteEndElement()
    $writer.WriteEndElement()
}

$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmdlet in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $text = $help[$cmdlet.Name]
    if (-not $text) { $problems.Add("$($cmdlet.Name): no help entry"); continue }
    foreach ($key in 'Synopsis', 'Description', 'Examples', 'Outputs') {
        if (-not $text.ContainsKey($key) -or -not $text[$key]) { $problems.Add("$($cmdlet.Name): no $key") }
    }
    if (-not $text.ContainsKey('Parameters')) { $problems.Add("$($cmdlet.Name): no Parameters table") }

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'command', $null, $command)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)

    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmdlet.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmdlet.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmdlet.Noun)
    $writer.WriteStartElement('description', $maml); Write-Para $text.Synopsis; $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteStartElement('description', $maml); Write-Para $text.Description; $writer.WriteEndElement()

    $own = $cmdlet.Parameters.Values | Where-Object { $common -notcontains $_.Name }
    foreach ($parameter in $own) {
        if (-not (Get-ParameterText $text $parameter.Name)) { $problems.Add("$($cmdlet.Name): no text for -$($parameter.Name)") }
    }

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmdlet.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('name', $maml, $cmdlet.Name)
        foreach ($parameter in ($set.Parameters | Where-Object { $common -notcontains $_.Name })) {
            $metadata = $cmdlet.Parameters[$parameter.Name]
            Write-Parameter $parameter.Name $metadata $parameter (Get-ParameterText $text $parameter.Name)
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($parameter in $own) {
        $setMetadata = $parameter.ParameterSets.Values | Select-Object -First 1
        Write-Parameter $parameter.Name $parameter $setMetadata (Get-ParameterText $text $parameter.Name)
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'inputTypes', $command)
    $writer.WriteStartElement('command', 'inputType', $command)
    $writer.WriteStartElement('type', $dev); $writer.WriteElementString('name', $maml, "$($text.Inputs)"); $writer.WriteEndElement()
    $writer.WriteEndElement(); $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'returnValues', $command)
    $writer.WriteStartElement('command', 'returnValue', $command)
    $writer.WriteStartElement('type', $dev); $writer.WriteElementString('name', $maml, "$($text.Outputs)"); $writer.WriteEndElement()
    $writer.WriteEndElement(); $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $command)
    $number = 0
    foreach ($example in $text.Examples) {
        $number++
        $writer.WriteStartElement('command', 'example', $command)
        $writer.WriteElementString('title', $maml, "-------------------------- Example ${number}: $($example.Title) --------------------------")
        $writer.WriteElementString('code', $dev, $example.Code)
        $writer.WriteStartElement('remarks', $dev); Write-Para $example.Remarks; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $links = @($relatedLinks[$cmdlet.Name])
    if (-not $relatedLinks.ContainsKey($cmdlet.Name) -or $links.Count -lt 2) { $problems.Add("$($cmdlet.Name): fewer than two related links in $(Split-Path -Leaf $RelatedLinksData)") }
    $writer.WriteStartElement('relatedLinks', $maml)
    foreach ($link in $links) {
        if ($link -notlike 'about_*' -and -not $module.ExportedCmdlets.ContainsKey($link)) { $problems.Add("$($cmdlet.Name): related link '$link' is not a cmdlet of the module or an about topic") }
        $writer.WriteStartElement('navigationLink', $maml)
        $writer.WriteElementString('linkText', $maml, $link)
        $writer.WriteElementString('uri', $maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Close()

if ($problems.Count) {
    $problems | ForEach-Object { Write-Host "help: $_" -ForegroundColor Red }
    exit 1
}
Write-Host "Help for $($module.ExportedCmdlets.Count) cmdlets written to $OutputPath"
