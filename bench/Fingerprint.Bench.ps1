# Get-ImageFingerprint throughput: end to end over real images, next to the raw ONNX Runtime rate
# of the same model in the same run. Dot-sourced by Invoke-Benchmarks.ps1 (needs Bench.Common.ps1).
#
# Per repetition, each in a fresh process and in an order rotated every repetition (so a machine
# getting busier or quieter during the run does not favour one figure):
#   raw      bench/RawInference with the module's session settings (allow_spinning 0)
#   raw+spin the same with ONNX Runtime's default allow_spinning 1
#   e2e      bench/Fingerprint.Child.ps1: `Get-ChildItem <folder> -File | Get-ImageFingerprint`, plus
#            the engine's FingerprintPipeline driven directly on the same files
# The target (issue): end to end >= 70% of the raw rate on 2 cores.

$script:FingerprintTarget = 0.70
$script:DefaultImageSource = '/usr/share/openclipart/png'
$script:BenchImageExtensions = @('.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp')

function Install-OpenClipart {
    # Debian's openclipart-png: about 6,900 PNG clip-art files of many sizes, public domain.
    if ((Test-Path $script:DefaultImageSource) -and (Get-ChildItem $script:DefaultImageSource -Recurse -File -Filter *.png | Select-Object -First 1)) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) {
        throw "The benchmark images come from Debian's openclipart-png, and apt-get is not available here; pass -ImageSource <folder of images>."
    }
    if ((id -u) -ne '0') {
        throw "openclipart-png is not installed: run 'sudo apt-get install -y openclipart-png' (or pass -ImageSource <folder of images>)."
    }
    Write-Host 'Installing openclipart-png (the benchmark images)...'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    apt-get install -y -q openclipart-png
    if ($LASTEXITCODE -ne 0) {
        Invoke-BenchNative 'apt-get update' { apt-get update -q }
        Invoke-BenchNative 'apt-get install openclipart-png' { apt-get install -y -q openclipart-png }
    }
}

function Copy-BenchImageSample {
    # A deterministic sample: every image under $Source sorted by path (ordinal), then $Count picked
    # at an even stride. Symbolic links are skipped (openclipart-png links 1,221 names to files it
    # already has; following them would count the same picture twice). Copied into a fresh folder (names prefixed with the sample index, so the
    # folder's order is the sample's order) so every file was just written and sits in the page cache.
    param([string] $Source, [int] $Count, [string] $Destination)
    $all = [string[]]@(Get-ChildItem -LiteralPath $Source -Recurse -File |
            Where-Object { -not $_.LinkType -and $_.Extension.ToLowerInvariant() -in $script:BenchImageExtensions } |
            ForEach-Object FullName)
    if ($all.Count -eq 0) { throw "No images under '$Source'." }
    [Array]::Sort($all, [StringComparer]::Ordinal)
    $take = [Math]::Min($Count, $all.Count)
    $null = New-Item -ItemType Directory -Path $Destination -Force
    for ($i = 0; $i -lt $take; $i++) {
        $file = $all[[int][Math]::Floor([double]$i * $all.Count / $take)]
        Copy-Item -LiteralPath $file -Destination (Join-Path $Destination ('{0:D5}-{1}' -f $i, (Split-Path -Leaf $file)))
    }
    [pscustomobject]@{ Available = $all.Count; Sampled = $take }
}

function Invoke-RawInference {
    param([string] $Dll, [string] $ModelDirectory, [int] $Iterations, [int] $Spinning)
    $lines = & dotnet $Dll --model-dir $ModelDirectory --iterations $Iterations --warmup 20 --spinning $Spinning 2>&1
    if ($LASTEXITCODE -ne 0) { $lines | Out-Host; throw "RawInference failed (exit code $LASTEXITCODE)." }
    $json = @($lines | Where-Object { $_ -is [string] -and $_.StartsWith('{') })
    if ($json.Count -ne 1) { $lines | Out-Host; throw 'RawInference printed no result.' }
    $json[0] | ConvertFrom-Json
}

function Invoke-FingerprintChild {
    param([string] $ModulePath, [string] $Folder, [string] $ResultPath)
    $child = Join-Path $PSScriptRoot 'Fingerprint.Child.ps1'
    if (Test-Path $ResultPath) { Remove-Item $ResultPath }
    dotnet pwsh -NoProfile -NonInteractive -File $child -ModulePath $ModulePath -Folder $Folder -ResultPath $ResultPath | Out-Host
    $code = $LASTEXITCODE
    if ($code -ne 0 -or -not (Test-Path $ResultPath)) {
        # 128 + n: the process died of signal n (139 = SIGSEGV, 134 = SIGABRT): a crash in native code.
        $signal = @{ 134 = ' (SIGABRT: aborted)'; 137 = ' (SIGKILL: killed, out of memory?)'; 139 = ' (SIGSEGV: a crash in native code)' }[$code]
        throw "The end-to-end run of Get-ImageFingerprint failed: exit code $code$signal. Run it alone to see its output: dotnet pwsh -NoProfile -File $child -ModulePath $ModulePath -Folder $Folder -ResultPath $ResultPath"
    }
    Get-Content -Raw $ResultPath | ConvertFrom-Json
}

function Invoke-FingerprintBenchmark {
    param(
        [string] $RepoRoot,
        [string] $ModulePath,
        [int] $ImageCount,
        [int] $Repetitions,
        [string] $ImageSource
    )
    $f = { param($v, $d = 1) Format-BenchNumber $v $d }
    Write-Host '== Benchmark: Get-ImageFingerprint throughput' -ForegroundColor Cyan
    $started = [DateTime]::UtcNow
    $loadBefore = Get-BenchLoadAverage
    $machine = Get-BenchMachine

    if (-not $ImageSource) {
        Install-OpenClipart
        $ImageSource = $script:DefaultImageSource
    }
    $work = Join-Path ([IO.Path]::GetTempPath()) ('optout-bench-' + [Guid]::NewGuid().ToString('N').Substring(0, 8))
    $images = Join-Path $work 'images'
    try {
        $sample = Copy-BenchImageSample -Source $ImageSource -Count $ImageCount -Destination $images
        $files = @(Get-ChildItem -LiteralPath $images -File)
        Write-Host "Sampled $($sample.Sampled) of $($sample.Available) images from $ImageSource into $images"

        $rawProject = Join-Path $PSScriptRoot 'RawInference/RawInference.csproj'
        $rawOut = Join-Path $RepoRoot 'out/bench/RawInference'
        Invoke-BenchNative 'Building bench/RawInference' { dotnet build $rawProject -c Release -o $rawOut --nologo --verbosity quiet | Out-Host }
        $rawDll = Join-Path $rawOut 'RawInference.dll'
        $models = Join-Path $ModulePath 'models'

        $raw = [Collections.Generic.List[object]]::new()
        $spin = [Collections.Generic.List[object]]::new()
        $e2e = [Collections.Generic.List[object]]::new()
        $steps = @('raw', 'spin', 'e2e')
        for ($rep = 0; $rep -lt $Repetitions; $rep++) {
            $order = @(for ($k = 0; $k -lt $steps.Count; $k++) { $steps[($k + $rep) % $steps.Count] })
            Write-Host "-- Repetition $($rep + 1) of $Repetitions ($($order -join ', ')), load average $(& $f (Get-BenchLoadAverage) 2)"
            foreach ($step in $order) {
                $cpuBefore = Get-BenchCpuSample
                switch ($step) {
                    'raw' {
                        $r = Invoke-RawInference -Dll $rawDll -ModelDirectory $models -Iterations $files.Count -Spinning 0
                        $raw.Add($r)
                        Write-Host "   raw ONNX Runtime (module settings, spinning off): $(& $f $r.imagesPerSecond) images/s"
                    }
                    'spin' {
                        $r = Invoke-RawInference -Dll $rawDll -ModelDirectory $models -Iterations $files.Count -Spinning 1
                        $spin.Add($r)
                        Write-Host "   raw ONNX Runtime (spinning on, ORT default):      $(& $f $r.imagesPerSecond) images/s"
                    }
                    'e2e' {
                        $r = Invoke-FingerprintChild -ModulePath $ModulePath -Folder $images -ResultPath (Join-Path $work "e2e-$rep.json")
                        $e2e.Add($r)
                        $engineText = if ($r.engine -and $r.engine.PSObject.Properties['imagesPerSecond']) { "; engine only $(& $f $r.engine.imagesPerSecond) images/s" } else { '' }
                        Write-Host "   Get-ImageFingerprint end to end:                  $(& $f $r.endToEnd.imagesPerSecond) images/s ($($r.endToEnd.failed) failed; first call $(& $f $r.firstCallSeconds 2) s$engineText)"
                    }
                }
                $others = Get-BenchOtherCpuShare $cpuBefore (Get-BenchCpuSample)
                $r | Add-Member -NotePropertyName othersCpuShare -NotePropertyValue $others -Force
                Write-Host "     (other processes took $(& $f (100 * $others) 0)% of the machine's CPU meanwhile)"
            }
        }
        $loadAfter = Get-BenchLoadAverage

        $rawRates = [double[]]@($raw | ForEach-Object imagesPerSecond)
        $spinRates = [double[]]@($spin | ForEach-Object imagesPerSecond)
        $e2eRates = [double[]]@($e2e | ForEach-Object { $_.endToEnd.imagesPerSecond })
        $engineRates = [double[]]@($e2e | ForEach-Object { if ($_.engine -and $_.engine.PSObject.Properties['imagesPerSecond']) { $_.engine.imagesPerSecond } })
        $engineError = @($e2e | ForEach-Object { if ($_.engine -and $_.engine.PSObject.Properties['error']) { $_.engine.error } }) | Select-Object -First 1
        $rawMedian = Get-BenchMedian $rawRates
        $spinMedian = Get-BenchMedian $spinRates
        $e2eMedian = Get-BenchMedian $e2eRates
        $engineMedian = Get-BenchMedian $engineRates
        $ratio = $e2eMedian / $rawMedian
        $pairRatios = [double[]]@(for ($i = 0; $i -lt $Repetitions; $i++) { $e2eRates[$i] / $rawRates[$i] })
        $loadMedian = Get-BenchMedian ([double[]]@($e2e | ForEach-Object modelLoadSeconds))
        $firstMedian = Get-BenchMedian ([double[]]@($e2e | ForEach-Object firstCallSeconds))
        $importMedian = Get-BenchMedian ([double[]]@($e2e | ForEach-Object importSeconds))
        $sessionMedian = Get-BenchMedian ([double[]]@($raw | ForEach-Object loadSeconds))
        $failed = ($e2e | ForEach-Object { $_.endToEnd.failed } | Measure-Object -Maximum).Maximum
        $firstError = @($e2e | ForEach-Object { $_.endToEnd.firstError } | Where-Object { $_ }) | Select-Object -First 1

        # Image statistics: sizes as the module decoded them, bytes as stored.
        $widths = [double[]]@($e2e[0].widths)
        $heights = [double[]]@($e2e[0].heights)
        $pixels = [double[]]@(for ($i = 0; $i -lt $widths.Count; $i++) { $widths[$i] * $heights[$i] })
        $bytes = [double[]]@($files | ForEach-Object Length)
        $formats = ($files | Group-Object { $_.Extension.TrimStart('.').ToUpperInvariant() } | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '

        $othersMedian = Get-BenchMedian ([double[]]@(@($raw) + @($spin) + @($e2e) | ForEach-Object othersCpuShare | Where-Object { -not [double]::IsNaN($_) }))
        $noise = if ([double]::IsNaN($othersMedian)) { '' }
        elseif ($othersMedian -gt 0.1) { " Other processes took a median $(& $f (100 * $othersMedian) 0)% of the CPU during the measurements: **a noisy run**, rerun on a quiet machine before drawing conclusions." }
        else { " Other processes took a median $(& $f (100 * $othersMedian) 0)% of the CPU during the measurements." }
        $verdict = if ($ratio -ge $script:FingerprintTarget) { 'meets the target' } else { '**below the target**' }
        $repHeader = (1..$Repetitions | ForEach-Object { "rep $_" }) -join ' | '
        $repRule = (1..$Repetitions | ForEach-Object { '---:' }) -join ' | '
        # A cell: the figure, and in brackets the share of the CPU other processes took meanwhile.
        $row = { param([string] $label, [double[]] $values, [double] $median, [int] $d = 1, [object[]] $runs = @())
            $cells = for ($i = 0; $i -lt $values.Count; $i++) {
                $cell = & $f $values[$i] $d
                if ($i -lt $runs.Count -and -not [double]::IsNaN([double]$runs[$i].othersCpuShare)) { $cell += " ($(& $f (100 * $runs[$i].othersCpuShare) 0)%)" }
                $cell
            }
            "| $label | $($cells -join ' | ') | **$(& $f $median $d)** |" }

        $lines = [Collections.Generic.List[string]]::new()
        $lines.Add('## Get-ImageFingerprint throughput')
        $lines.Add('')
        $lines.Add("Measured $($started.ToString('yyyy-MM-dd HH:mm', [Globalization.CultureInfo]::InvariantCulture)) UTC on $($machine.Cores) cores ($($machine.Cpu)), $($machine.Memory), $($machine.Os); $($machine.Dotnet), PowerShell $($machine.PowerShell), ONNX Runtime $($raw[0].runtime). Load average (1 min) $(& $f $loadBefore 2) before, $(& $f $loadAfter 2) after.$noise")
        $lines.Add('')
        $lines.Add("Images: $($sample.Sampled) files sampled evenly from $($sample.Available) under ``$ImageSource`` ($formats), copied to a temporary folder first. Median $(& $f (Get-BenchMedian $widths) 0) x $(& $f (Get-BenchMedian $heights) 0) px (width x height), median $(& $f ((Get-BenchMedian $pixels) / 1e6) 3) MP, 90th percentile $(& $f ((Get-BenchPercentile $pixels 90) / 1e6) 2) MP, largest $(& $f (($pixels | Measure-Object -Maximum).Maximum / 1e6) 2) MP; median file $(Format-BenchBytes (Get-BenchMedian $bytes)), 90th percentile $(Format-BenchBytes (Get-BenchPercentile $bytes 90)), total $(Format-BenchBytes (($bytes | Measure-Object -Sum).Sum)). Model: ``$($e2e[0].model)``.")
        $lines.Add('')
        $lines.Add("| images/s | $repHeader | median |")
        $lines.Add("| --- | $repRule | ---: |")
        $lines.Add((& $row 'raw ONNX Runtime, module settings (spinning off)' $rawRates $rawMedian 1 $raw))
        $lines.Add((& $row 'raw ONNX Runtime, allow_spinning 1 (ORT default)' $spinRates $spinMedian 1 $spin))
        $lines.Add((& $row '`Get-ChildItem -File \| Get-ImageFingerprint`' $e2eRates $e2eMedian 1 $e2e))
        if ($engineRates.Count) { $lines.Add((& $row 'engine only (FingerprintPipeline, no cmdlet)' $engineRates $engineMedian 1 $e2e)) }
        $lines.Add((& $row 'end to end / raw (same repetition)' $pairRatios (Get-BenchMedian $pairRatios) 2))
        $lines.Add('')
        $lines.Add('In brackets: the share of the machine''s CPU that other processes took during that measurement (from /proc/stat); figures measured while it is high understate the module and the runtime alike, and not by the same amount.')
        $lines.Add('')
        $lines.Add("**Ratio end to end / raw (medians): $(& $f $ratio 2)**; target >= $(& $f $script:FingerprintTarget 2): $verdict. Spinning on vs off (raw medians): $(& $f ($spinMedian / $rawMedian) 2)x.")
        $lines.Add('')
        $lines.Add("Start-up (medians): ``Import-Module`` $(& $f $importMedian 2) s; first call $(& $f $firstMedian 2) s, of which model load and JIT $(& $f $loadMedian 2) s (first call minus a second call on the same image); raw ONNX sessions alone load in $(& $f $sessionMedian 2) s. The rates above exclude start-up.")
        if ($failed) { $lines.Add(''); $lines.Add("Failures: up to $failed of $($files.Count) images failed in a repetition (first: $firstError).") }
        if ($engineError) { $lines.Add(''); $lines.Add("Engine-only figure unavailable: $engineError") }
        $lines.Add('')
        $lines.Add("Method: each repetition runs, in a fresh process each and in an order rotated every repetition, (1) ``bench/RawInference``: ResNetPreprocess.onnx + ResNet18.onnx with the module's session options ($($raw[0].threads) intra-op threads, 1 inter-op, sequential, ORT_ENABLE_ALL), batch 1, on a fixed [1,3,224,224] input, $($files.Count) runs after 20 warm-up runs; (2) the same with allow_spinning 1; (3) ``bench/Fingerprint.Child.ps1``: import, one image twice, $(4) more as warm-up, then ``Get-ChildItem <folder> -File | Get-ImageFingerprint`` over all $($files.Count) images timed, then the engine's ``FingerprintPipeline`` over the same files. images/s = files / wall time.")
        $markdown = $lines -join "`n"
        [pscustomobject]@{ Name = 'fingerprint'; Markdown = $markdown; Text = $markdown }
    }
    finally {
        if (Test-Path $work) { Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
