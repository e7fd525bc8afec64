# Shared helpers for the module tests; dot-sourced from each *.Tests.ps1 in BeforeAll (and, where a
# test file needs them at discovery time, in BeforeDiscovery). Nothing here touches the module's
# internals: images are written byte by byte or by the sample generator, results are compared with
# plain arithmetic.

# The repository root (tests/module/../..): child processes start there so the dotnet tool manifest
# (.config/dotnet-tools.json, pwsh 7.6.9) is found.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
$script:FixturePath = Join-Path $script:RepoRoot 'tests/fixtures'
# The shared reference data (not part of the project) beside the checkout, or $env:OPTOUT_SHARED_DATA.
$script:SharedDataPath = $(if ($env:OPTOUT_SHARED_DATA) { $env:OPTOUT_SHARED_DATA } else { [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../../../shared/data')) })
$script:NearDuplicatePath = Join-Path $script:SharedDataPath 'near-duplicates'

function Resolve-ModuleUnderTest {
    <# The built module folder (out/OptOut by default), as a full path. #>
    param([string] $ModulePath)
    if (-not $ModulePath) { $ModulePath = Join-Path $script:RepoRoot 'out/OptOut' }
    if (-not (Test-Path (Join-Path $ModulePath 'OptOut.psd1'))) {
        throw "No built module at '$ModulePath'; run 'dotnet pwsh ./build.ps1' first."
    }
    (Resolve-Path $ModulePath).ProviderPath
}

function Get-NuGetPackageRoot {
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-SampleGenerator {
    <# out/samples/OptOut.Samples.dll, built by build.ps1 beside the module. #>
    param([string] $ModulePath)
    $dll = Join-Path (Split-Path $ModulePath -Parent) 'samples/OptOut.Samples.dll'
    if (-not (Test-Path $dll)) { throw "The sample generator '$dll' is missing; run 'dotnet pwsh ./build.ps1'." }
    $dll
}

function New-SampleImage {
    <#
    Runs the sample generator: 'artist' writes artwork-NN.png (320 x 240), 'copies' writes
    artwork-NN-<alteration>.jpg for each of the eight alterations. Returns the files written.
    #>
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [ValidateSet('artist', 'copies')] [string] $Kind,
        [Parameter(Mandatory)] [string] $Destination,
        [int] $Count = 3
    )
    $dll = Get-SampleGenerator $ModulePath
    $output = & dotnet $dll $Kind $Destination $Count 2>&1
    if ($LASTEXITCODE -ne 0) { throw "OptOut.Samples $Kind failed ($LASTEXITCODE): $output" }
    Get-ChildItem -LiteralPath $Destination -File | Sort-Object Name
}

# --- PNG written by hand -------------------------------------------------------------------------

$script:Crc32Table = $null
function Get-Crc32 {
    <# CRC-32 (ISO-HDLC, the one PNG uses) of a byte array. #>
    param([byte[]] $Bytes)
    if (-not $script:Crc32Table) {
        $table = [uint32[]]::new(256)
        for ($n = 0; $n -lt 256; $n++) {
            [uint32] $c = $n
            for ($k = 0; $k -lt 8; $k++) {
                if ($c -band 1) { $c = 0xEDB88320u -bxor ($c -shr 1) } else { $c = $c -shr 1 }
            }
            $table[$n] = $c
        }
        $script:Crc32Table = $table
    }
    [uint32] $crc = 0xFFFFFFFFu
    foreach ($b in $Bytes) {
        $crc = $script:Crc32Table[($crc -bxor $b) -band 0xFF] -bxor ($crc -shr 8)
    }
    [uint32] ($crc -bxor 0xFFFFFFFFu)
}

function ConvertTo-BigEndian([uint32] $Value) {
    [byte[]] @((($Value -shr 24) -band 0xFF), (($Value -shr 16) -band 0xFF), (($Value -shr 8) -band 0xFF), ($Value -band 0xFF))
}

function New-PngChunk {
    param([string] $Type, [byte[]] $Data = @())
    $typeBytes = [System.Text.Encoding]::ASCII.GetBytes($Type)
    $crcInput = [byte[]] ($typeBytes + $Data)
    [byte[]] ((ConvertTo-BigEndian $Data.Length) + $typeBytes + $Data + (ConvertTo-BigEndian (Get-Crc32 $crcInput)))
}

function New-PngBytes {
    <#
    A PNG (8-bit RGB) with the given header dimensions. Pixels, when given, are rows of R,G,B bytes and
    must match the dimensions; without them the IDAT holds a few zlib-compressed zero bytes only, so a
    header claiming a huge image stays a file of about a hundred bytes.
    #>
    param([uint32] $Width, [uint32] $Height, [byte[]] $Rgb)
    $signature = [byte[]] (0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)
    # IHDR: width, height, bit depth 8, colour type 2 (RGB), compression 0, filter 0, interlace 0.
    $ihdr = [byte[]] ((ConvertTo-BigEndian $Width) + (ConvertTo-BigEndian $Height) + [byte[]] (8, 2, 0, 0, 0))
    if ($Rgb) {
        $raw = [System.IO.MemoryStream]::new()
        $stride = [int] $Width * 3
        for ($y = 0; $y -lt $Height; $y++) {
            $raw.WriteByte(0)   # filter type None
            $raw.Write($Rgb, $y * $stride, $stride)
        }
        $scanlines = $raw.ToArray()
    }
    else {
        $scanlines = [byte[]]::new(16)
    }
    $compressed = [System.IO.MemoryStream]::new()
    $zlib = [System.IO.Compression.ZLibStream]::new($compressed, [System.IO.Compression.CompressionLevel]::Optimal)
    $zlib.Write($scanlines, 0, $scanlines.Length)
    $zlib.Dispose()
    [byte[]] ($signature + (New-PngChunk 'IHDR' $ihdr) + (New-PngChunk 'IDAT' $compressed.ToArray()) + (New-PngChunk 'IEND'))
}

function New-SolidPng {
    <# A real, decodable PNG of one colour. #>
    param([string] $Path, [int] $Width, [int] $Height, [byte] $R, [byte] $G, [byte] $B)
    $stride = $Width * 3
    $rgb = [byte[]]::new($stride * $Height)
    for ($i = 0; $i -lt $stride; $i += 3) { $rgb[$i] = $R; $rgb[$i + 1] = $G; $rgb[$i + 2] = $B }
    for ($y = 1; $y -lt $Height; $y++) { [Array]::Copy($rgb, 0, $rgb, $y * $stride, $stride) }
    [System.IO.File]::WriteAllBytes($Path, (New-PngBytes -Width $Width -Height $Height -Rgb $rgb))
    Get-Item -LiteralPath $Path
}

function Get-JpegFrameSize {
    <# Width and height as stored in a JPEG's SOFn marker (before any EXIF orientation). #>
    param([string] $Path)
    $b = [System.IO.File]::ReadAllBytes($Path)
    $i = 2
    while ($i + 9 -lt $b.Length) {
        if ($b[$i] -ne 0xFF) { throw "Not at a JPEG marker at offset $i of '$Path'." }
        $marker = $b[$i + 1]
        $length = $b[$i + 2] * 256 + $b[$i + 3]
        # SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if ($marker -ge 0xC0 -and $marker -le 0xCF -and $marker -notin 0xC4, 0xC8, 0xCC) {
            return [pscustomobject]@{ Width = $b[$i + 7] * 256 + $b[$i + 8]; Height = $b[$i + 5] * 256 + $b[$i + 6] }
        }
        $i += 2 + $length
    }
    throw "No SOF marker in '$Path'."
}

# --- Comparing fingerprints ----------------------------------------------------------------------

function Get-HashDistance {
    <# Hamming distance between two 16-hex-digit perceptual hashes. #>
    param([string] $A, [string] $B)
    [System.Numerics.BitOperations]::PopCount([Convert]::ToUInt64($A, 16) -bxor [Convert]::ToUInt64($B, 16))
}

function Get-Cosine {
    <# Cosine similarity of two vectors, computed in double precision. #>
    param([float[]] $A, [float[]] $B)
    if ($A.Length -ne $B.Length) { throw "Vectors of $($A.Length) and $($B.Length) values." }
    [double] $dot = 0; [double] $na = 0; [double] $nb = 0
    for ($i = 0; $i -lt $A.Length; $i++) {
        $dot += [double]$A[$i] * $B[$i]; $na += [double]$A[$i] * $A[$i]; $nb += [double]$B[$i] * $B[$i]
    }
    $dot / [Math]::Sqrt($na * $nb)
}

function Get-VectorNorm {
    param([float[]] $Vector)
    [double] $sum = 0
    foreach ($v in $Vector) { $sum += [double]$v * $v }
    [Math]::Sqrt($sum)
}

# --- Child processes -----------------------------------------------------------------------------

function Invoke-ChildPwsh {
    <#
    Runs a script in a fresh 'dotnet pwsh -NoProfile -NonInteractive -Command' process started in the
    repository root. The script gets $ModulePath defined and must write its result with
    'Write-Result <object>', which prints one line of JSON after a marker. Returns the parsed result
    with the child's full output and exit code attached (Output, ExitCode), or throws when no result
    came back.
    #>
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string] $Script
    )
    $prelude = @"
`$ErrorActionPreference = 'Stop'
`$ModulePath = '$($ModulePath -replace "'", "''")'
function Write-Result(`$Value) { '@@RESULT@@' + (ConvertTo-Json -InputObject `$Value -Depth 6 -Compress) }

"@
    Push-Location $script:RepoRoot
    try {
        $output = & dotnet pwsh -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1 | ForEach-Object { "$_" }
        $exitCode = $LASTEXITCODE
    }
    finally { Pop-Location }
    $line = $output | Where-Object { $_.StartsWith('@@RESULT@@') } | Select-Object -Last 1
    if (-not $line) {
        throw "The child process (exit $exitCode) wrote no result. Its output:`n$($output -join "`n")"
    }
    $result = $line.Substring('@@RESULT@@'.Length) | ConvertFrom-Json
    $result | Add-Member -NotePropertyName Output -NotePropertyValue ($output -join "`n") -Force
    $result | Add-Member -NotePropertyName ExitCode -NotePropertyValue $exitCode -Force
    $result
}

# --- Training sets -------------------------------------------------------------------------------

function New-SampleTrainingSet {
    <#
    Runs the sample generator's 'trainingset': an img2dataset "files" output folder (00000/ with
    images, .txt and .json, and 00000.parquet) holding $Strangers unrelated pictures, four altered
    re-posts of each of the first $Works artworks of 'artist' and two failed downloads. Returns the
    folder.
    #>
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string] $Destination,
        [int] $Strangers = 40,
        [int] $Works = 4
    )
    $dll = Get-SampleGenerator $ModulePath
    $output = & dotnet $dll trainingset $Destination $Strangers $Works 2>&1
    if ($LASTEXITCODE -ne 0) { throw "OptOut.Samples trainingset failed ($LASTEXITCODE): $output" }
    Get-Item -LiteralPath $Destination
}

function New-UstarArchive {
    <#
    Writes a ustar tar of name/bytes entries, in order: an ordered dictionary (name -> bytes), or
    name/bytes pairs @(@(name, bytes), ...) where names may repeat (as in a concatenated download).
    #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [object] $Entries)
    $pairs = if ($Entries -is [System.Collections.IDictionary]) { @($Entries.GetEnumerator() | ForEach-Object { , @($_.Key, $_.Value) }) } else { $Entries }
    $stream = [System.IO.File]::Create($Path)
    $writer = [System.Formats.Tar.TarWriter]::new($stream, [System.Formats.Tar.TarEntryFormat]::Ustar, $false)
    try {
        foreach ($pair in $pairs) {
            $entry = [System.Formats.Tar.UstarTarEntry]::new([System.Formats.Tar.TarEntryType]::RegularFile, $pair[0])
            $entry.DataStream = [System.IO.MemoryStream]::new([byte[]] $pair[1])
            $writer.WriteEntry($entry)
        }
    }
    finally { $writer.Dispose(); $stream.Dispose() }
}

function New-Img2DatasetJsonShard {
    <#
    Writes an img2dataset "files" output folder without a parquet: shard 00000/ with, for each row,
    NNNNNNNNN.json (url, key, status, caption) and, when the row names an Image, a copy of that file
    as NNNNNNNNN<extension>. Rows are hashtables: @{ Url; Caption; Image; Status = 'success' }.
    Returns the folder.
    #>
    param(
        [Parameter(Mandatory)] [string] $Destination,
        [Parameter(Mandatory)] [hashtable[]] $Rows
    )
    $shard = New-Item -ItemType Directory -Path (Join-Path $Destination '00000') -Force
    for ($i = 0; $i -lt $Rows.Count; $i++) {
        $row = $Rows[$i]
        $key = '{0:000000000}' -f $i
        $status = if ($row.ContainsKey('Status')) { $row.Status } else { 'success' }
        [ordered]@{ url = $row.Url; key = $key; status = $status; caption = $row.Caption } | ConvertTo-Json -Compress |
            Set-Content -LiteralPath (Join-Path $shard "$key.json") -Encoding utf8NoBOM
        if ($row.Image) {
            Copy-Item -LiteralPath $row.Image -Destination (Join-Path $shard ($key + [System.IO.Path]::GetExtension($row.Image)))
        }
    }
    Get-Item -LiteralPath $Destination
}

function Invoke-InNewRunspace {
    <#
    Runs a script block in a separate PowerShell instance of this process, after importing the module
    there with $ProgressPreference = 'Continue', so its progress records can be read. Returns Output,
    Errors, Progress (the records of the progress stream) and HadErrors.
    #>
    param(
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @()
    )
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript({
                param($ModulePath)
                $ProgressPreference = 'Continue'
                Import-Module $ModulePath -ErrorAction Stop
            }).AddArgument($ModulePath)
        $null = $ps.AddStatement().AddScript($ScriptBlock.ToString())
        foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
        $output = $ps.Invoke()
        [pscustomobject]@{
            Output = @($output)
            Errors = @($ps.Streams.Error)
            Progress = @($ps.Streams.Progress)
            HadErrors = $ps.HadErrors
        }
    }
    finally { $ps.Dispose() }
}

function New-ForeignSqliteDatabase {
    <#
    Another program's SQLite database (a 'photos' table with one row), written by the sqlite3 tool or,
    without it, Python's sqlite3 module: not through OptOut. -Wal leaves it in WAL mode. Returns
    $null when neither is installed.
    #>
    param([Parameter(Mandatory)] [string] $Path, [switch] $Wal)
    $sql = "$(if ($Wal) { 'PRAGMA journal_mode=WAL;' }) CREATE TABLE photos(id INTEGER PRIMARY KEY, url TEXT); INSERT INTO photos(url) VALUES ('https://a.example/1.jpg');"
    if (Get-Command sqlite3 -ErrorAction SilentlyContinue) { $null = & sqlite3 $Path $sql }
    elseif (Get-Command python3 -ErrorAction SilentlyContinue) { $null = & python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.close()' $Path $sql }
    else { return $null }
    Get-Item -LiteralPath $Path
}

# --- Help examples ---------------------------------------------------------------------------------

function Get-HelpExample {
    <#
    Every example of the help data (src/OptOut/help/OptOut.help.psd1), in cmdlet order, as
    @{ Id = 'Cmdlet N'; Code; Skip; Why }: Skip and Why from HelpExamples.NotRun.psd1, the documented
    subset HelpExamples.Tests.ps1 does not run.
    #>
    $help = Import-PowerShellDataFile (Join-Path $script:RepoRoot 'src/OptOut/help/OptOut.help.psd1')
    $notRun = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'HelpExamples.NotRun.psd1')
    foreach ($name in ($help.Keys | Sort-Object)) {
        $number = 0
        foreach ($example in $help[$name].Examples) {
            $number++
            $reason = $notRun["$name $number"]
            @{ Id = "$name $number"; Code = $example.Code; Skip = [bool]$reason; Why = $(if ($reason) { " (not run: $reason)" } else { '' }) }
        }
    }
}

