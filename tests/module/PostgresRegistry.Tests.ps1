# The consent registry on PostgreSQL through the built module (issue 17): every registry cmdlet and
# the gate against a private server the tests start (PostgresServer.ps1), the connection forms and
# $env:OPTOUT_REGISTRY, roles and their errors, passwords never shown, Copy-OptOutRegistry round
# trips, four writer processes at once, a writer killed mid-batch and a server restarted mid-add.
# Without PostgreSQL's server binaries every test here is skipped, saying so.
param([string] $ModulePath)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'PostgresServer.ps1')
    $noServer = -not (Get-PostgresBin)
    $title = 'The registry on PostgreSQL' + $(if ($noServer) { ' (skipped: PostgreSQL''s server binaries are not installed; build.ps1 Test installs Debian''s postgresql)' } else { '' })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'PostgresServer.ps1')
    $ModulePath = Resolve-ModuleUnderTest $ModulePath
    Import-Module $ModulePath -ErrorAction Stop
    if (Get-PostgresBin) { $Server = Start-TestPostgres }

    function New-Registry { Get-TestConnectionString $Server (New-TestDatabase $Server) }
    function Get-Database([string] $ConnectionString) { ($ConnectionString -split ';' | Where-Object { $_ -like 'Database=*' }) -replace '^Database=', '' }
    function Get-Count([string] $ConnectionString, [string] $Sql) { [long] (Invoke-TestSql $Server (Get-Database $ConnectionString) $Sql) }

    # The claims so far, 0 before the registry exists (a writer process creates it).
    function Get-ClaimCount([string] $ConnectionString) {
        try { Get-Count $ConnectionString 'SELECT count(*) FROM optout.claims' } catch { 0 }
    }

    # Waits until a writer process has committed at least $Claims claims, or has exited.
    function Wait-ForClaims([string] $ConnectionString, $Process, [long] $Claims) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (-not $Process.HasExited -and $clock.Elapsed.TotalMinutes -lt 4) {
            if ((Get-ClaimCount $ConnectionString) -ge $Claims) { return }
            Start-Sleep -Milliseconds 100
        }
    }

    # Every property of a record as comparable text (dates to the tick).
    function ConvertTo-Comparable($Record) {
        [ordered]@{
            Id = $Record.Id; Decision = "$($Record.Decision)"; Kind = "$($Record.Kind)"; Target = $Record.Target; Claimant = $Record.Claimant
            Reason = $Record.Reason; CreatedAt = $Record.CreatedAt.ToUniversalTime().Ticks; Status = "$($Record.Status)"
            RevokedAt = if ($Record.RevokedAt) { $Record.RevokedAt.ToUniversalTime().Ticks }; RevokedBy = $Record.RevokedBy
            RevokedReason = $Record.RevokedReason; PerceptualHash = $Record.PerceptualHash; ModelId = $Record.ModelId
            EvidenceSha256 = $Record.EvidenceSha256; Origin = $Record.Origin
        } | ConvertTo-Json -Compress
    }

    $Art = @(New-SampleImage -ModulePath $ModulePath -Kind artist -Destination (Join-Path $TestDrive 'art') -Count 2)
}

AfterAll { Stop-TestPostgres $Server }

Describe $title -Skip:$noServer {
    Context 'Every registry cmdlet, as against a file' {
        BeforeAll {
            $Pg = New-Registry
            $File = Join-Path $TestDrive 'same.db'
            $urls = @('HTTPS://Example.COM:443/art/1.jpg', 'https://example.com/art/2.jpg', 'https://example.com/art/2.jpg', 'https://sub.example.com/x.png')
            foreach ($registry in $Pg, $File) {
                $urls | Add-OptOut -RegistryPath $registry -Claimant 'Jane Doe' -Reason "it's mine \ ok"
                Add-OptIn -Domain 'Grant.Example.' -RegistryPath $registry -Claimant 'Studio X'
                Add-OptOut -Path $Art[0].FullName -RegistryPath $registry -Claimant 'Jane Doe'
            }
        }

        It 'adds normalised claims once, and lists them as the file registry does' {
            $records = @(Get-OptOut -RegistryPath $Pg)
            $records.Count | Should -Be 5
            $records[0].Target | Should -Be 'https://example.com/art/1.jpg'
            (@(Get-OptOut -RegistryPath $File) | ForEach-Object { "$($_.Kind) $($_.Target) $($_.Claimant) $($_.Reason)" }) |
                Should -Be ($records | ForEach-Object { "$($_.Kind) $($_.Target) $($_.Claimant) $($_.Reason)" })
            (Get-OptOut -RegistryPath $Pg -Url 'https://EXAMPLE.com/art/2.jpg').Count | Should -Be 1
            @(Get-OptOut -RegistryPath $Pg -Domain 'example.com').Count | Should -Be 3
            @(Get-OptOut -RegistryPath $Pg -Claimant 'studio*').Target | Should -Be 'grant.example'
            @(Get-OptOut -RegistryPath $Pg -Kind Content -IncludeEmbedding).Embedding.Count | Should -Be 512
        }

        It 'revokes as a record of its own, audited, and Get-OptOutHistory tells the story' {
            $record = Get-OptOut -RegistryPath $Pg -Url 'https://example.com/art/1.jpg'
            $revoked = $record | Remove-OptOut -RegistryPath $Pg -Reason 'licensed' -Confirm:$false -PassThru
            $revoked.Status | Should -Be 'Revoked'
            @(Get-OptOut -RegistryPath $Pg).Count | Should -Be 4
            (@(Get-OptOut -RegistryPath $Pg -IncludeRevoked).Count) | Should -Be 5
            $history = @($record | Get-OptOutHistory -RegistryPath $Pg)
            $history.Action | Should -Be @('AddOptOut', 'Revoke')
            (Get-OptOutHistory -RegistryPath $Pg -Action migrate).Detail | Should -Be @('schema 0 -> 1', 'schema 1 -> 2')
        }

        It 'exports the same bytes as the file registry and imports into another database' {
            $ids = @(Get-OptOut -RegistryPath $File | Where-Object Kind -ne 'Content').Count
            foreach ($format in 'csv', 'json', 'txt') {
                $fromPg = Join-Path $TestDrive "pg.$format"
                $fromFile = Join-Path $TestDrive "file.$format"
                Get-OptOut -RegistryPath $Pg -Kind Url | Export-OptOutList $fromPg -RegistryPath $Pg
                Get-OptOut -RegistryPath $Pg -Kind Url | Export-OptOutList $fromFile -RegistryPath $Pg
                (Get-FileHash $fromPg).Hash | Should -Be (Get-FileHash $fromFile).Hash
            }
            $list = Join-Path $TestDrive 'all.json'
            Export-OptOutList $list -RegistryPath $Pg -IncludeRevoked
            $other = New-Registry
            $result = Import-OptOutList $list -RegistryPath $other -IncludeRevocations
            $result.Added | Should -Be 5
            (Get-OptOut -RegistryPath $other -IncludeRevoked | ForEach-Object Id) | Should -Be (Get-OptOut -RegistryPath $Pg -IncludeRevoked | ForEach-Object Id)
            $ids | Should -Be 4
        }

        It 'refuses UPDATE and DELETE from a plain psql session' {
            { Invoke-TestSql $Server (Get-Database $Pg) "DELETE FROM optout.claims" } | Should -Throw '*append-only*'
            { Invoke-TestSql $Server (Get-Database $Pg) "UPDATE optout.audit SET action = 'x'" } | Should -Throw '*append-only*'
            Get-Count $Pg 'SELECT count(*) FROM optout.claims' | Should -Be 5
        }
    }

    Context 'Keys and claimants compare the same in both backends' {
        # Targets and reversed hosts are normalised in C# (UrlNormalizer: lower-case ASCII,
        # IDNA to punycode) before either database sees them; claimant filters fold A-Z only, as
        # SQLite's NOCASE and LIKE do (PostgreSQL's lower() would also fold É to é).
        BeforeAll {
            $Pg = New-Registry
            $File = Join-Path $TestDrive 'fold.db'
            foreach ($registry in $Pg, $File) {
                Add-OptOut -Url 'https://MÜNCHEN.de/Bild.JPG' -RegistryPath $registry -Claimant 'ÉMILE Zola'
                Add-OptOut -Domain 'Straße.Example' -RegistryPath $registry -Claimant 'émile zola'
                Add-OptOut -Url 'https://ΑΘΗΝΑ.gr/a.jpg' -RegistryPath $registry -Claimant 'Jane'
            }
        }

        It 'stores the same URL and domain keys' {
            (Get-OptOut -RegistryPath $Pg).Target | Should -Be (Get-OptOut -RegistryPath $File).Target
            (Get-OptOut -RegistryPath $Pg).Target[0] | Should -Be 'https://xn--mnchen-3ya.de/Bild.JPG'
        }

        It 'finds the same records for <Filter>' -ForEach @(
            @{ Filter = 'a Unicode URL in other capitals'; Parameters = @{ Url = 'https://münchen.DE/Bild.JPG' } }
            @{ Filter = 'a Unicode domain in other capitals'; Parameters = @{ Domain = 'MÜNCHEN.de' } }
            @{ Filter = 'a Greek domain in capitals'; Parameters = @{ Domain = 'ΑΘΗΝΑ.GR' } }
            @{ Filter = 'a claimant in ASCII capitals'; Parameters = @{ Claimant = 'JANE' } }
            @{ Filter = 'a claimant whose non-ASCII capital differs'; Parameters = @{ Claimant = 'émile zola' } }
            @{ Filter = 'a claimant pattern whose non-ASCII capital differs'; Parameters = @{ Claimant = 'É*' } }
            @{ Filter = 'a claimant pattern in ASCII capitals'; Parameters = @{ Claimant = '*ZOLA' } }
        ) {
            $pgIds = @(Get-OptOut -RegistryPath $Pg @Parameters -WarningAction SilentlyContinue).Target
            $fileIds = @(Get-OptOut -RegistryPath $File @Parameters -WarningAction SilentlyContinue).Target
            $pgIds | Should -Be $fileIds
            $pgIds.Count | Should -BeGreaterThan 0
        }

        It 'folds A-Z only: É and é are different claimants in both' {
            @(Get-OptOut -RegistryPath $Pg -Claimant 'émile zola').Count | Should -Be 1
            @(Get-OptOut -RegistryPath $Pg -Claimant 'Émile ZOLA').Target | Should -Be 'https://xn--mnchen-3ya.de/Bild.JPG'
        }
    }

    Context 'Connection forms' {
        It 'takes libpq strings, URIs and $env:OPTOUT_REGISTRY, and never makes a folder of a connection string' {
            $database = New-TestDatabase $Server
            Push-Location $TestDrive
            $saved = $env:OPTOUT_REGISTRY
            try {
                Add-OptOut -Url 'https://forms.example/1.jpg' -RegistryPath "host=$($Server.Folder) port=$($Server.Port) user=optout dbname=$database"
                $uri = "postgresql://optout@$([uri]::EscapeDataString($Server.Folder)):$($Server.Port)/$database"
                Add-OptOut -Url 'https://forms.example/2.jpg' -RegistryPath $uri
                $env:OPTOUT_REGISTRY = Get-TestConnectionString $Server $database
                Add-OptOut -Url 'https://forms.example/3.jpg'
                @(Get-OptOut).Target | Should -Be @('https://forms.example/1.jpg', 'https://forms.example/2.jpg', 'https://forms.example/3.jpg')
                @(Get-ChildItem -LiteralPath $TestDrive -Filter '*=*').Count | Should -Be 0
            }
            finally {
                $env:OPTOUT_REGISTRY = $saved
                Pop-Location
            }
        }

        It 'shows $env:OPTOUT_REGISTRY without its password (Get-OptOutEnvironment, the JUnit report)' {
            $saved = $env:OPTOUT_REGISTRY
            $database = New-TestDatabase $Server
            try {
                $env:OPTOUT_REGISTRY = "$(Get-TestConnectionString $Server $database);Password=hunter2-Secret"
                (Get-OptOutEnvironment).RegistryPath | Should -Not -BeLike '*hunter2-Secret*'
                (Get-OptOutEnvironment).RegistryPath | Should -BeLike "*Database=$database*"
                Add-OptOut -Url 'https://report.example/1.jpg'
                $set = New-Img2DatasetJsonShard -Destination (Join-Path $TestDrive 'report-set') -Rows @(@{ Url = 'https://report.example/1.jpg'; Caption = 'x'; Image = $Art[0].FullName })
                $report = Join-Path $TestDrive 'junit.xml'
                Test-TrainingSet -Path $set.FullName -ReportPath $report -Quiet | Should -BeFalse
                Get-Content -Raw $report | Should -Not -BeLike '*hunter2-Secret*'
                Get-Content -Raw $report | Should -BeLike "*Database=$database*"
                @(Get-OptOutHistory | Where-Object { "$($_.User) $($_.Reason) $($_.Detail)" -like '*hunter2*' }).Count | Should -Be 0
            }
            finally { $env:OPTOUT_REGISTRY = $saved }
        }

        It 'stops on a connection string that does not parse, creating nothing' {
            Push-Location $TestDrive
            try {
                { Add-OptOut -Url 'https://x.example/1.jpg' -RegistryPath "Host=$($Server.Folder);Bogus=1" -ErrorAction Stop } |
                    Should -Throw -ErrorId 'OptOut.InvalidRegistryLocation*'
                @(Get-ChildItem -LiteralPath $TestDrive -Filter 'Host=*').Count | Should -Be 0
            }
            finally { Pop-Location }
        }

        It 'names no registry in an empty database for a read (OptOut.RegistryNotFound) and creates nothing' {
            $empty = New-Registry
            { Get-OptOut -RegistryPath $empty -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.RegistryNotFound*'
            Invoke-TestSql $Server (Get-Database $empty) "SELECT to_regnamespace('optout') IS NULL" | Should -Be 't'
        }
    }

    Context 'Roles and passwords' {
        BeforeAll {
            $Pg = New-Registry
            $db = Get-Database $Pg
            Add-OptOut -Url 'https://roles.example/1.jpg' -RegistryPath $Pg
            $null = Invoke-TestSql $Server $db (Get-Content -Raw (Join-Path $PSScriptRoot '../../src/OptOut/sql/registry-roles.sql'))
            $suffix = $db.Substring(2, 8)
            $null = Invoke-TestSql $Server $db "CREATE ROLE r_$suffix LOGIN PASSWORD 'reader-Pa55' IN ROLE optout_reader; CREATE ROLE w_$suffix LOGIN IN ROLE optout_writer"
            $Reader = Get-TestConnectionString $Server $db "r_$suffix"
            $Writer = Get-TestConnectionString $Server $db "w_$suffix"
        }

        It 'lets the reader read and run the gate, and stops its Add-OptOut with an error naming the privilege' {
            (Get-OptOut -RegistryPath $Reader).Target | Should -Be 'https://roles.example/1.jpg'
            $set = New-Img2DatasetJsonShard -Destination (Join-Path $TestDrive 'roles-set') -Rows @(
                @{ Url = 'https://roles.example/1.jpg'; Caption = 'refused'; Image = $Art[0].FullName }
                @{ Url = 'https://other.example/2.jpg'; Caption = 'fine'; Image = $Art[1].FullName })
            Test-TrainingSet -Path $set.FullName -RegistryPath $Reader -Quiet | Should -BeFalse
            $err = $null
            try { Add-OptOut -Url 'https://roles.example/2.jpg' -RegistryPath $Reader -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'OptOut.RegistryPermissionDenied*'
            "$err" | Should -BeLike '*INSERT on optout.claims*'
            Get-Count $Pg 'SELECT count(*) FROM optout.claims' | Should -Be 1
        }

        It 'lets the writer add and revoke' {
            Add-OptOut -Url 'https://roles.example/2.jpg' -RegistryPath $Writer
            Get-OptOut -RegistryPath $Writer -Url 'https://roles.example/2.jpg' | Remove-OptOut -RegistryPath $Writer -Confirm:$false
            Get-Count $Pg 'SELECT count(*) FROM optout.revocations' | Should -Be 1
        }

        It 'takes a -Credential, and a wrong password is a clear error that never shows it, verbose included' {
            $tcp = "Host=127.0.0.1;Port=$($Server.Port);Database=$db"
            $good = [pscredential]::new("r_$suffix", (ConvertTo-SecureString 'reader-Pa55' -AsPlainText -Force))
            @(Get-OptOut -RegistryPath $tcp -Credential $good).Count | Should -Be 1
            $bad = [pscredential]::new("r_$suffix", (ConvertTo-SecureString 'wr0ng-S3cret' -AsPlainText -Force))
            $err = $null
            $verbose = [System.Collections.Generic.List[string]]::new()
            try { Get-OptOut -RegistryPath $tcp -Credential $bad -Verbose 4>&1 | ForEach-Object { $verbose.Add("$_") } } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'OptOut.RegistryConnectionFailed*'
            "$err $($err.Exception) $($err.TargetObject) $($err.ErrorDetails) $verbose" | Should -Not -BeLike '*wr0ng-S3cret*'
            "$err" | Should -BeLike '*refused the login*'
            $inline = "$tcp;Username=r_$suffix;Password=wr0ng-S3cret"
            $err = $null
            try { Get-OptOut -RegistryPath $inline } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'OptOut.RegistryConnectionFailed*'
            "$err $($err.Exception) $($err.TargetObject) $($err.ErrorDetails)" | Should -Not -BeLike '*wr0ng-S3cret*'
            $env:PGPASSWORD = 'reader-Pa55'
            try { @(Get-OptOut -RegistryPath "$tcp;Username=r_$suffix").Count | Should -Be 1 } finally { Remove-Item Env:PGPASSWORD }
        }

        It 'New-SiteReservation -FromRegistryFor takes a -Credential (the reader''s), and a wrong one is a clear error' {
            $tcp = "Host=127.0.0.1;Port=$($Server.Port);Database=$db"
            $good = [pscredential]::new("r_$suffix", (ConvertTo-SecureString 'reader-Pa55' -AsPlainText -Force))
            $site = Join-Path $TestDrive 'reserved-site'
            $null = New-SiteReservation $site -FromRegistryFor roles.example -RegistryPath $tcp -Credential $good
            Get-Content -Raw (Join-Path $site 'robots.txt') | Should -BeLike '*Disallow: /1.jpg$*'
            $bad = [pscredential]::new("r_$suffix", (ConvertTo-SecureString 'wr0ng-S3cret' -AsPlainText -Force))
            $err = $null
            try { New-SiteReservation (Join-Path $TestDrive 'not-reserved') -FromRegistryFor roles.example -RegistryPath $tcp -Credential $bad -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'OptOut.RegistryConnectionFailed*'
            "$err $($err.Exception)" | Should -Not -BeLike '*wr0ng-S3cret*'
            Test-Path (Join-Path $TestDrive 'not-reserved') | Should -BeFalse
        }
    }

    Context 'The gate reads PostgreSQL as it reads a file' {
        It 'finds the same rows and writes the same clean set' {
            $Pg = New-Registry
            $File = Join-Path $TestDrive 'gate.db'
            $set = New-Img2DatasetJsonShard -Destination (Join-Path $TestDrive 'gate-set') -Rows @(
                @{ Url = 'https://gate.example/1.jpg'; Caption = 'url'; Image = $Art[0].FullName }
                @{ Url = 'https://refused-domain.example/2.jpg'; Caption = 'domain'; Image = $Art[1].FullName }
                @{ Url = 'https://fine.example/3.jpg'; Caption = 'fine'; Image = $Art[1].FullName })
            foreach ($registry in $Pg, $File) {
                Add-OptOut -Url 'https://gate.example/1.jpg' -RegistryPath $registry
                Add-OptOut -Domain 'refused-domain.example' -RegistryPath $registry
            }
            $fromPg = @(Test-TrainingSet -Path $set.FullName -RegistryPath $Pg)
            $fromFile = @(Test-TrainingSet -Path $set.FullName -RegistryPath $File)
            $fromPg.Count | Should -Be 2
            ($fromPg | ForEach-Object { "$($_.Rule) $($_.Url)" }) | Should -Be ($fromFile | ForEach-Object { "$($_.Rule) $($_.Url)" })
            $clean = Export-CleanTrainingSet -Path $set.FullName -Destination (Join-Path $TestDrive 'gate-clean') -RegistryPath $Pg
            ($clean.Kept, $clean.Removed) | Should -Be @(1, 2)
        }
    }

    Context 'Copy-OptOutRegistry' {
        It 'moves a file registry into PostgreSQL and back, every record and the audit trail equal' {
            $source = Join-Path $TestDrive 'copy-source.db'
            1..30 | ForEach-Object { "https://copy.example/$_.jpg" } | Add-OptOut -RegistryPath $source -Claimant "O'Brien \ ""q""" -Reason 'r'
            Add-OptIn -Domain 'granted.example' -RegistryPath $source
            Add-OptOut -Path $Art[0].FullName -RegistryPath $source
            Get-OptOut -RegistryPath $source -Url 'https://copy.example/3.jpg' | Remove-OptOut -RegistryPath $source -Reason 'gone' -Confirm:$false
            $pg = New-Registry
            $there = Copy-OptOutRegistry $source $pg
            ($there.Records, $there.Revoked, $there.Verified) | Should -Be @(32, 1, 32)
            $back = Join-Path $TestDrive 'copy-back.db'
            $returned = Copy-OptOutRegistry $pg $back
            $returned.Verified | Should -Be 32
            $original = @(Get-OptOut -RegistryPath $source -IncludeRevoked | ForEach-Object { ConvertTo-Comparable $_ })
            @(Get-OptOut -RegistryPath $pg -IncludeRevoked | ForEach-Object { ConvertTo-Comparable $_ }) | Should -Be $original
            @(Get-OptOut -RegistryPath $back -IncludeRevoked | ForEach-Object { ConvertTo-Comparable $_ }) | Should -Be $original
            $trail = @(Get-OptOutHistory -RegistryPath $source | ForEach-Object { "$($_.At.Ticks) $($_.User) $($_.Action) $($_.RecordId) $($_.Reason) $($_.Detail)" })
            $backTrail = @(Get-OptOutHistory -RegistryPath $back | ForEach-Object { "$($_.At.Ticks) $($_.User) $($_.Action) $($_.RecordId) $($_.Reason) $($_.Detail)" })
            foreach ($line in $trail) { $backTrail | Should -Contain $line }
            @(Get-OptOutHistory -RegistryPath $back -Action Copy).Count | Should -Be 2 -Because 'the copy into PostgreSQL is part of the trail copied back'
        }

        It 'refuses a destination that holds records, untouched, unless -Append' {
            $source = Join-Path $TestDrive 'append-source.db'
            1..3 | ForEach-Object { "https://append.example/$_.jpg" } | Add-OptOut -RegistryPath $source
            $pg = New-Registry
            Add-OptOut -Url 'https://already.example/1.jpg' -RegistryPath $pg
            { Copy-OptOutRegistry $source $pg -ErrorAction Stop } | Should -Throw -ErrorId 'OptOut.RegistryNotEmpty*'
            Get-Count $pg 'SELECT count(*) FROM optout.claims' | Should -Be 1
            (Copy-OptOutRegistry $source $pg -Append).Records | Should -Be 3
            (Copy-OptOutRegistry $source $pg -Append).AlreadyPresent | Should -Be 3
            Get-Count $pg 'SELECT count(*) FROM optout.claims' | Should -Be 4
        }
    }

    Context 'Many writers, killed writers, a restarted server' {
        It 'four writer processes adding 25,000 claims each, overlapping, record exactly the distinct claims, each audited' {
            $pg = New-Registry
            $module = $ModulePath -replace "'", "''"
            $jobs = 0..3 | ForEach-Object {
                $from = $_ * 20000
                # Stop on any error, statement-terminating ones included (a failed writer must not exit 0).
                $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; $($from + 1)..$($from + 25000) | ForEach-Object { 'https://many.example/' + `$_ + '.jpg' } | Add-OptOut -RegistryPath '$pg' -ErrorAction Stop; 'done'"
                Start-Process -FilePath dotnet -ArgumentList @('pwsh', '-NoProfile', '-NonInteractive', '-Command', $script) -PassThru -RedirectStandardOutput (Join-Path $TestDrive "w$_.out") -RedirectStandardError (Join-Path $TestDrive "w$_.err")
            }
            $jobs | Wait-Process -Timeout 540
            foreach ($i in 0..3) {
                $jobs[$i].ExitCode | Should -Be 0 -Because (Get-Content -Raw (Join-Path $TestDrive "w$i.err"))
                Get-Content (Join-Path $TestDrive "w$i.out") | Should -Contain 'done' -Because (Get-Content -Raw (Join-Path $TestDrive "w$i.err"))
            }
            Get-Count $pg 'SELECT count(*) FROM optout.claims' | Should -Be 85000
            Get-Count $pg 'SELECT count(DISTINCT target) FROM optout.claims' | Should -Be 85000
            Get-Count $pg "SELECT count(*) FROM optout.audit WHERE action = 'AddOptOut'" | Should -Be 85000
            Get-Count $pg 'SELECT count(*) FROM optout.claims c WHERE NOT EXISTS (SELECT 1 FROM optout.audit a WHERE a.record_id = c.id)' | Should -Be 0
        }

        It 'a writer killed mid-batch leaves whole batches, and a rerun completes with nothing duplicated' {
            $pg = New-Registry
            $module = $ModulePath -replace "'", "''"
            $script = "Import-Module '$module'; 1..200000 | ForEach-Object { 'https://killed.example/' + `$_ + '.jpg' } | Add-OptOut -RegistryPath '$pg'"
            $child = Start-Process -FilePath dotnet -ArgumentList @('pwsh', '-NoProfile', '-NonInteractive', '-Command', $script) -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'killed.out')
            try {
                Wait-ForClaims $pg $child 50000
                $child.HasExited | Should -BeFalse -Because 'the writer is killed while it still has batches to write'
                Start-Sleep -Milliseconds (Get-Random -Minimum 50 -Maximum 1500)
            }
            finally { $child.Kill($true); $child.WaitForExit() }
            $count = Get-Count $pg 'SELECT count(*) FROM optout.claims'
            ($count % 50000) | Should -Be 0 -Because "a batch is one transaction ($count claims)"
            Get-Count $pg "SELECT count(*) FROM optout.audit WHERE action = 'AddOptOut'" | Should -Be $count
            1..200000 | ForEach-Object { "https://killed.example/$_.jpg" } | Add-OptOut -RegistryPath $pg
            Get-Count $pg 'SELECT count(*) FROM optout.claims' | Should -Be 200000
            Get-Count $pg "SELECT count(*) FROM optout.audit WHERE action = 'AddOptOut'" | Should -Be 200000
        }

        It 'a server restarted in the middle of a bulk add: the add retries or fails clearly, and a rerun completes with nothing duplicated' {
            $pg = New-Registry
            $module = $ModulePath -replace "'", "''"
            $script = "Import-Module '$module'; try { 1..200000 | ForEach-Object { 'https://restart.example/' + `$_ + '.jpg' } | Add-OptOut -RegistryPath '$pg' -ErrorAction Stop; 'completed' } catch { 'failed: ' + `$_.FullyQualifiedErrorId; exit 3 }"
            $out = Join-Path $TestDrive 'restart.out'
            $child = Start-Process -FilePath dotnet -ArgumentList @('pwsh', '-NoProfile', '-NonInteractive', '-Command', $script) -PassThru -RedirectStandardOutput $out
            try {
                Wait-ForClaims $pg $child 50000
                $child.HasExited | Should -BeFalse -Because 'the server restarts while the writer still has batches to write'
                Restart-TestPostgres $Server
                $child | Wait-Process -Timeout 300
            }
            finally { if (-not $child.HasExited) { $child.Kill($true) } }
            $said = Get-Content -Raw $out
            if ($child.ExitCode -ne 0) { $said | Should -BeLike '*failed: OptOut.RegistryConnectionFailed*' } else { $said | Should -BeLike '*completed*' }
            1..200000 | ForEach-Object { "https://restart.example/$_.jpg" } | Add-OptOut -RegistryPath $pg
            Get-Count $pg 'SELECT count(*) FROM optout.claims' | Should -Be 200000
            Get-Count $pg 'SELECT count(DISTINCT target) FROM optout.claims' | Should -Be 200000
            Get-Count $pg "SELECT count(*) FROM optout.audit WHERE action = 'AddOptOut'" | Should -Be 200000
        }
    }
}
