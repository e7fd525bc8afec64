# OpenCV (geometric verification, src/OptOut.Core/Matching) inside the built module: its native library
# comes from the module's runtimes/ folder and its managed assembly lives in the module's private load
# context. No cmdlet calls the verifier yet, so the engine is reached by reflection in a fresh child process.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    $original = Join-Path $FixturePath 'clipart/grapes_01.png'
    $lookAlike = Join-Path $FixturePath 'clipart/another_apple_01.png'
    $apple = Join-Path $FixturePath 'clipart/apple.png'
}

Describe 'OpenCV in the module''s load context' -Skip:(-not ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64')) {
    BeforeAll {
        $result = Invoke-ChildPwsh -ModulePath $ModulePath -Script @"
Import-Module `$ModulePath
`$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'OptOut.Core' } | Select-Object -First 1
`$version = `$core.GetType('OptOut.Core.NativeLibraries').GetMethod('OpenCvVersion').Invoke(`$null, @())
`$limits = `$core.GetType('OptOut.Core.Imaging.ImageLimits')::Default
`$loader = `$core.GetType('OptOut.Core.Imaging.ImageLoader')
`$verifier = [Activator]::CreateInstance(`$core.GetType('OptOut.Core.Matching.GeometricVerifier'), @(`$null))
function Test-Pair([string] `$a, [string] `$b) {
    `$da = `$loader::Load(`$a, `$limits); `$db = `$loader::Load(`$b, `$limits)
    `$pa = `$verifier.Prepare(`$da, `$null); `$pb = `$verifier.Prepare(`$db, `$null)
    try { `$verifier.Verify(`$pa, `$pb, `$null) } finally { `$pa.Dispose(); `$pb.Dispose(); `$da.Dispose(); `$db.Dispose() }
}
`$same = Test-Pair '$original' '$original'
`$different = Test-Pair '$apple' '$lookAlike'
`$openCv = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'OpenCvSharp' } | Select-Object -First 1
`$natives = @(Get-Content /proc/self/maps | ForEach-Object { (`$_ -split '\s+', 6)[5] } | Where-Object { `$_ -match 'OpenCvSharpExtern' } | Sort-Object -Unique)
Write-Result @{
    Version = `$version
    Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$openCv).Name
    Natives = `$natives
    SameVerified = `$same.IsVerified
    DifferentVerified = `$different.IsVerified
    DifferentReason = `$different.Reason.ToString()
}
"@
    }

    It 'reports OpenCV 4.13' {
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Version | Should -BeLike '4.13.*'
    }

    It 'loads OpenCvSharp into the module''s private load context' {
        $result.Context | Should -BeLike 'OptOut:*'
    }

    It 'loads libOpenCvSharpExtern from the module''s runtimes/ folder' {
        $result.Natives.Count | Should -Be 1
        $result.Natives[0] | Should -BeLike (Join-Path $ModulePath 'bin/runtimes/linux-x64/native/*')
    }

    It 'verifies a picture against itself and not against another drawing of the same subject' {
        $result.SameVerified | Should -BeTrue
        $result.DifferentVerified | Should -BeFalse
        $result.DifferentReason | Should -Not -Be 'None'
    }
}
