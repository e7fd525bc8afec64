# New-SiteReservation and Test-SiteReservation through the built module.
param([string] $ModulePath)

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -Force -ErrorAction Stop
}

Describe 'New-SiteReservation' {
    BeforeAll {
        $site = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'site') -Force
        $existing = "# my site`r`nUser-agent: *`r`nDisallow: /tmp/`r`n`r`nSitemap: https://site.example/sitemap.xml`r`n"
        [System.IO.File]::WriteAllText((Join-Path $site 'robots.txt'), $existing)
        $written = New-SiteReservation $site -TdmPolicy https://site.example/policy.json
    }

    It 'writes robots.txt, ai.txt, tdmrep.json and the three header snippets' {
        ($written.Name | Sort-Object) -join ',' | Should -Be 'ai.txt,apache.conf,Caddyfile,nginx.conf,robots.txt,tdmrep.json'
        Get-Content -Raw (Join-Path $site '.well-known/tdmrep.json') | ConvertFrom-Json | ForEach-Object { $_.'tdm-reservation' } | Should -Be 1
    }

    It 'keeps the existing robots.txt byte for byte and replaces its own group on a re-run' {
        $once = [System.IO.File]::ReadAllText((Join-Path $site 'robots.txt'))
        $once.StartsWith($existing) | Should -BeTrue
        $once | Should -BeLike '*User-agent: GPTBot*'
        $null = New-SiteReservation $site -TdmPolicy https://site.example/policy.json
        [System.IO.File]::ReadAllText((Join-Path $site 'robots.txt')) | Should -BeExactly $once
    }

    It 'warns when a group of the site lets a reserved crawler in' {
        $other = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'allowing') -Force
        Set-Content (Join-Path $other 'robots.txt') "User-agent: CCBot`nAllow: /`n" -NoNewline
        $null = New-SiteReservation $other -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join "`n") | Should -BeLike 'CCBot*line 2*'
    }

    It 'refuses a path pattern robots.txt cannot carry, writing nothing' {
        $bad = Join-Path $TestDrive 'bad'
        { New-SiteReservation $bad -SitePath 'gallery' -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.SiteReservationFailed*'
        Test-Path (Join-Path $bad 'robots.txt') | Should -BeFalse
    }
}

Describe 'Test-SiteReservation' {
    BeforeAll {
        $site = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'checked') -Force
        $null = New-SiteReservation $site -SitePath '/gallery/'
        Set-Content (Join-Path $site 'headers.txt') "HTTP/1.1 200 OK`nContent-Type: image/png`n"
    }

    It 'says which signals reserve a URL' {
        $verdict = Test-SiteReservation $site 'https://site.example/gallery/a.jpg'
        $verdict.Reserved | Should -BeTrue
        ($verdict.ReservedBy | Sort-Object) -join ',' | Should -Be 'ai.txt,robots.txt,tdmrep.json'
        (Test-SiteReservation $site 'https://site.example/blog/post').Reserved | Should -BeFalse
    }

    It 'takes URLs from Get-Content, skipping blank and comment lines, and -Quiet answers yes or no' {
        $list = Join-Path $TestDrive 'urls.txt'
        Set-Content $list "# to check`n`nhttps://site.example/gallery/b.png`nhttps://site.example/about`n"
        Get-Content $list | Test-SiteReservation $site -Quiet -ErrorVariable problems | Should -Be @($true, $false)
        $problems | Should -BeNullOrEmpty
    }

    It 'reads X-Robots-Tag from a headers file' {
        $headers = Join-Path $TestDrive 'h.txt'
        Set-Content $headers "X-Robots-Tag: noimageai`n"
        (Test-SiteReservation $site 'https://site.example/about' -HeadersPath $headers).ReservedBy | Should -Be 'X-Robots-Tag header'
    }

    It 'reports a folder without any site file as OptOut.SiteFilesUnreadable' {
        $empty = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'empty') -Force
        { Test-SiteReservation $empty https://site.example/ -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.SiteFilesUnreadable*'
    }
}

Describe 'Test-TrainingSet -SiteReservationPath: the Site rule' {
    BeforeAll {
        $set = New-SampleTrainingSet -ModulePath $ModulePath -Destination (Join-Path $TestDrive 'scraped') -Strangers 14 -Works 1
        $sites = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'sites') -Force
        # One site reserves its /photos/ (robots.txt, ai.txt, TDMRep); another only sends X-Robots-Tag.
        $null = New-SiteReservation (Join-Path $sites 'cdn.stockpix.example') -SitePath '/photos/'
        $newsdaily = New-Item -ItemType Directory -Path (Join-Path $sites 'media.newsdaily.example') -Force
        Set-Content (Join-Path $newsdaily 'headers.txt') "X-Robots-Tag: noai`n"
        $registry = Join-Path $TestDrive 'registry.db'
        $null = Add-OptOut -Url 'https://unrelated.example/a.jpg' -Claimant 'someone' -RegistryPath $registry
        $findings = @(Test-TrainingSet $set -RegistryPath $registry -SiteReservationPath $sites | Where-Object Rule -eq Site)
    }

    It 'finds every row on a reserving site, and only those' {
        $findings.Count | Should -BeGreaterThan 0
        foreach ($finding in $findings) { $finding.Url | Should -Match '^https://(cdn\.stockpix\.example/photos/|media\.newsdaily\.example/)' }
        $stock = @($findings | Where-Object Url -like 'https://cdn.stockpix.example/*')
        $stock.Count | Should -BeGreaterThan 0
        $stock[0].Detail | Should -BeLike '*robots.txt*'
        @($findings | Where-Object Url -like 'https://media.newsdaily.example/*')[0].Detail | Should -BeLike '*X-Robots-Tag*'
    }

    It 'makes the set not clean, and the clean copy leaves those rows out' {
        Test-TrainingSet $set -RegistryPath $registry -SiteReservationPath $sites -Quiet | Should -BeFalse
        $clean = Join-Path $TestDrive 'clean'
        $summary = Export-CleanTrainingSet $set $clean -RegistryPath $registry -SiteReservationPath $sites
        $summary.Removed | Should -Be (@($findings.Key | Sort-Object -Unique)).Count
        Test-TrainingSet $clean -RegistryPath $registry -SiteReservationPath $sites -Quiet | Should -BeTrue
    }

    It 'refuses a folder that does not exist' {
        { Test-TrainingSet $set -RegistryPath $registry -SiteReservationPath (Join-Path $TestDrive 'nope') -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.FileNotFound*'
    }
}

Describe 'New-SiteReservation -FromRegistryFor' {
    BeforeAll {
        $registry = Join-Path $TestDrive 'site-registry.db'
        $null = Add-OptOut -Url 'https://jane.example/gallery/a.png', 'https://jane.example/odd*name$.png?v=1', 'https://other.example/x.png' -RegistryPath $registry -InformationAction Ignore
    }

    It 'reserves exactly the refused URLs of the host' {
        $site = Join-Path $TestDrive 'jane-site'
        $null = New-SiteReservation $site -FromRegistryFor jane.example -RegistryPath $registry
        (Test-SiteReservation $site 'https://jane.example/gallery/a.png').Reserved | Should -BeTrue
        (Test-SiteReservation $site 'https://jane.example/odd*name$.png?v=1').Reserved | Should -BeTrue
        (Test-SiteReservation $site 'https://jane.example/gallery/a.png.bak').Reserved | Should -BeFalse
        # robots.txt cannot escape '*': the refused path's '*' stays a wildcard, reserving its look-alikes too.
        (Test-SiteReservation $site 'https://jane.example/oddXname$.png?v=1').Reserved | Should -BeTrue
        (Test-SiteReservation $site 'https://jane.example/odd-name.png?v=1').Reserved | Should -BeFalse
        Get-Content -Raw (Join-Path $site 'robots.txt') | Should -Not -BeLike '*other.example*'
    }

    It 'reserves the whole site once the domain is refused, and refuses a host the registry does not name' {
        $null = Add-OptOut -Domain jane.example -RegistryPath $registry -InformationAction Ignore
        $site = Join-Path $TestDrive 'jane-whole'
        $null = New-SiteReservation $site -FromRegistryFor jane.example -RegistryPath $registry
        (Test-SiteReservation $site 'https://jane.example/anything').Reserved | Should -BeTrue
        { New-SiteReservation (Join-Path $TestDrive 'none') -FromRegistryFor nobody.example -RegistryPath $registry -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.SiteReservationFailed*'
    }
}
