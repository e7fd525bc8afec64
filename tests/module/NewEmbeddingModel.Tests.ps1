# New-EmbeddingModel: describing an ONNX image encoder (here the bundled ResNet18 itself), using it
# with Get-ImageFingerprint -Model, and the terminating OptOut.ModelLoadFailed for wrong descriptions.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop

    $onnx = Join-Path $ModulePath 'models/ResNet18.onnx'
    $onnxSha256 = (Get-FileHash -LiteralPath $onnx -Algorithm SHA256).Hash.ToLowerInvariant()
    $image = (New-SampleImage -ModulePath $ModulePath -Kind artist -Destination (Join-Path $TestDrive 'art') -Count 1)[0].FullName
    $textFile = Join-Path $TestDrive 'not-a-model.onnx'
    Set-Content -LiteralPath $textFile -Value 'This is a text file, not an ONNX model.'

    function Get-TerminatingError {
        # Runs the script block with non-terminating errors silenced: what still comes out as an
        # exception is terminating. Returns the ErrorRecord, or $null when nothing was thrown.
        param([scriptblock] $Script)
        try { $null = & $Script; $null }
        catch { $_ }
    }
}

Describe 'New-EmbeddingModel with the bundled ResNet18' {
    BeforeAll {
        $spec = New-EmbeddingModel -Path $onnx -Name 'MyResNet' -Normalization ImageNet -InputSize 224
    }

    It 'returns a model description' {
        $spec | Should -Not -BeNullOrEmpty
        @($spec).Count | Should -Be 1
        $spec.Name | Should -BeExactly 'MyResNet'
        $spec.OnnxPath | Should -Be $onnx
        $spec.InputWidth | Should -Be 224
        $spec.InputHeight | Should -Be 224
    }

    It 'is usable with Get-ImageFingerprint -Model, whose Model id starts with the name' {
        $fp = Get-ImageFingerprint -LiteralPath $image -Model $spec -IncludeEmbedding
        $fp.Model | Should -BeLike 'MyResNet*'
        $fp.Model | Should -BeExactly "MyResNet@sha256:$onnxSha256"
        $fp.Embedding.Length | Should -Be 512
        Get-VectorNorm $fp.Embedding | Should -BeGreaterThan 0.9999
        Get-VectorNorm $fp.Embedding | Should -BeLessThan 1.0001
    }

    It 'changes the embedding but not the hashes compared to the default model' {
        $custom = Get-ImageFingerprint -LiteralPath $image -Model $spec -IncludeEmbedding
        $default = Get-ImageFingerprint -LiteralPath $image -IncludeEmbedding
        $custom.Sha256 | Should -BeExactly $default.Sha256
        $custom.PerceptualHash | Should -BeExactly $default.PerceptualHash
        $default.Model | Should -BeLike 'ResNet18@sha256:*'
        # Different preprocessing (ImageNet mean/std without the bundled BGR/mean-image graph).
        Get-Cosine $custom.Embedding $default.Embedding | Should -BeLessThan 0.99999
    }

    It 'names the model after the file when -Name is omitted' {
        $unnamed = New-EmbeddingModel -Path $onnx -Normalization ImageNet
        $unnamed.Name | Should -BeExactly 'ResNet18'
    }
}

Describe 'New-EmbeddingModel errors' {
    It 'refuses <Case> with a terminating OptOut.ModelLoadFailed' -ForEach @(
        @{ Case = 'a wrong -InputSize (300)'; Arguments = @{ InputSize = 300 } }
        @{ Case = 'a wrong -OutputName'; Arguments = @{ OutputName = 'no_such_output' } }
        @{ Case = 'a wrong -InputName'; Arguments = @{ InputName = 'no_such_input' } }
    ) {
        $arguments = $Arguments
        $record = Get-TerminatingError { New-EmbeddingModel -Path $onnx -Normalization ImageNet @arguments -ErrorAction SilentlyContinue }
        $record | Should -Not -BeNullOrEmpty -Because "$Case must be a terminating error, even with -ErrorAction SilentlyContinue"
        $record.FullyQualifiedErrorId | Should -BeLike 'OptOut.ModelLoadFailed*'
        $record.TargetObject | Should -Be $onnx
    }

    It 'refuses a text file with a terminating OptOut.ModelLoadFailed' {
        $record = Get-TerminatingError { New-EmbeddingModel -Path $textFile -ErrorAction SilentlyContinue }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'OptOut.ModelLoadFailed*'
        $record.TargetObject | Should -Be $textFile
    }

    It 'refuses a missing file with a terminating OptOut.ModelLoadFailed' {
        $missing = Join-Path $TestDrive 'missing.onnx'
        $record = Get-TerminatingError { New-EmbeddingModel -Path $missing -ErrorAction SilentlyContinue }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'OptOut.ModelLoadFailed*'
    }

    It 'stops Get-ImageFingerprint -Model with OptOut.ModelLoadFailed when the model file has gone' {
        $copy = Join-Path $TestDrive 'resnet-copy.onnx'
        Copy-Item -LiteralPath $onnx -Destination $copy
        $spec = New-EmbeddingModel -Path $copy -Normalization ImageNet
        Remove-Item -LiteralPath $copy
        $seen = [System.Collections.Generic.List[object]]::new()
        $record = Get-TerminatingError { Get-ImageFingerprint -LiteralPath $image -Model $spec -ErrorAction SilentlyContinue | ForEach-Object { $seen.Add($_) } }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'OptOut.ModelLoadFailed*'
        $seen.Count | Should -Be 0
    }
}
