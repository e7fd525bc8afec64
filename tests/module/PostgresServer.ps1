# A private PostgreSQL server for the module tests: Debian's binaries (/usr/lib/postgresql/*/bin),
# initdb into a temporary folder, pg_ctl start on a free port with its Unix socket in that folder
# (and 127.0.0.1 with password logins), stopped and deleted by Stop-TestPostgres. PostgreSQL
# refuses to run as root: as root the server runs as the 'postgres' system user (runuser).
# Without the binaries, Get-PostgresBin returns $null and the tests skip, saying so.

function Get-PostgresBin {
    if (-not $IsLinux -or -not (Test-Path /usr/lib/postgresql)) { return $null }
    Get-ChildItem /usr/lib/postgresql -Directory | ForEach-Object { Join-Path $_.FullName 'bin' } |
        Where-Object { Test-Path (Join-Path $_ 'pg_ctl') } | Sort-Object -Descending | Select-Object -First 1
}

function Invoke-AsPostgres([string] $Program, [string[]] $Arguments) {
    $root = (id -u) -eq '0'
    $output = if ($root) { & runuser -u postgres -- $Program @Arguments 2>&1 } else { & $Program @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed ($LASTEXITCODE): $output" }
}

# -Durable keeps fsync on (benchmarks); the tests turn it off.
function Start-TestPostgres([switch] $Durable) {
    $bin = Get-PostgresBin
    if (-not $bin) { throw 'PostgreSQL server binaries are not installed.' }
    # Short: a Unix socket path must fit in 107 bytes.
    $folder = Join-Path '/tmp' ('optout-pgm-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $folder
    if ((id -u) -eq '0') { & chown postgres:postgres $folder }
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    Invoke-AsPostgres (Join-Path $bin 'initdb') @('-D', "$folder/data", '-U', 'optout', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync')
    $server = [pscustomobject]@{ Bin = $bin; Folder = $folder; Port = $port; Fsync = if ($Durable) { 'on' } else { 'off' } }
    Start-TestPostgresServer $server
    $server
}

function Start-TestPostgresServer($Server) {
    Invoke-AsPostgres (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-l', "$($Server.Folder)/log", '-w', '-o',
        "-p $($Server.Port) -k $($Server.Folder) -c listen_addresses=127.0.0.1 -c fsync=$($Server.Fsync)", 'start')
}

function Restart-TestPostgres($Server) {
    Invoke-AsPostgres (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-m', 'fast', '-w', 'stop')
    Start-TestPostgresServer $Server
}

function Stop-TestPostgres($Server) {
    if (-not $Server) { return }
    try { Invoke-AsPostgres (Join-Path $Server.Bin 'pg_ctl') @('-D', "$($Server.Folder)/data", '-m', 'immediate', '-w', 'stop') } catch { }
    Remove-Item -LiteralPath $Server.Folder -Recurse -Force -ErrorAction Ignore
}

# An Npgsql connection string over the socket, as the superuser or -User.
function Get-TestConnectionString($Server, [string] $Database, [string] $User = 'optout') {
    "Host=$($Server.Folder);Port=$($Server.Port);Username=$User;Database=$Database"
}

# Runs SQL with psql as the superuser over the socket; returns psql's unaligned, tuples-only output.
function Invoke-TestSql($Server, [string] $Database, [string] $Sql, [string] $User = 'optout') {
    $output = & (Join-Path $Server.Bin 'psql') -X -q -A -t -v ON_ERROR_STOP=1 -h $Server.Folder -p $Server.Port -U $User -d $Database -c $Sql 2>&1
    if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $output" }
    $output
}

function New-TestDatabase($Server) {
    $name = 'm_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $null = Invoke-TestSql $Server 'postgres' "CREATE DATABASE $name"
    $name
}
