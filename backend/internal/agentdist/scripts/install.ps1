# Wegweiser agent installer for Windows, served by [[.ServerURL]].
#
#   & ([scriptblock]::Create((irm [[.ServerURL]]/install.ps1))) -Key KEY
#   & ([scriptblock]::Create((irm [[.ServerURL]]/uninstall.ps1))) [-Purge]
#
# Run in an elevated PowerShell. Installing downloads the agent from the
# server, checks its SHA-256 against the server's SHA256SUMS, enrols the
# device with the enrolment key, sends a first report and registers the
# agent to start with the machine.
param(
    [string]$Key = "",
    [switch]$Uninstall,
    [switch]$Purge
)
$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue"
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

$Server = '[[.ServerURL]]'
$Mode = '[[if .Uninstall]]uninstall[[else]]install[[end]]'
if ($Uninstall) { $Mode = 'uninstall' }
$Dir = Join-Path $env:ProgramFiles 'Wegweiser'
$Bin = Join-Path $Dir 'wegweiser-agent.exe'

function Say($msg) { Write-Host "wegweiser: $msg" }

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw "wegweiser: run this in an elevated PowerShell (Run as administrator)"
}

if ($Mode -eq 'uninstall') {
    if (-not (Test-Path $Bin)) { throw "wegweiser: no agent at $Bin" }
    $uargs = @('uninstall', '--binary', $Bin)
    if ($Purge) { $uargs += '--purge' }
    & $Bin @uargs
    if ($LASTEXITCODE -ne 0) { throw "wegweiser: uninstall failed" }
    Say "the agent is uninstalled"
    return
}

if (-not $Key) { throw "wegweiser: an enrolment key is required: -Key KEY (create one on the Enrolment page)" }

$arch = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
switch ($arch) {
    'AMD64' { $goarch = 'amd64' }
    'ARM64' { $goarch = 'arm64' }
    default { throw "wegweiser: no agent build for the $arch architecture" }
}
$files = @{
[[range $k, $v := .Binaries]]    '[[$k]]' = '[[$v]]'
[[end]]}
$file = $files["windows_$goarch"]
if (-not $file) { throw "wegweiser: the server offers no agent build for windows/$goarch; build them with 'make agents' on the server" }

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("wegweiser-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
    Say "downloading $file from $Server"
    $sums = (Invoke-WebRequest -UseBasicParsing -Uri "$Server/agent/SHA256SUMS").Content
    if ($sums -is [byte[]]) { $sums = [Text.Encoding]::UTF8.GetString($sums) }
    $want = $null
    foreach ($line in ($sums -split "`n")) {
        $parts = $line.Trim() -split '\s+'
        if ($parts.Count -eq 2 -and $parts[1] -eq $file) { $want = $parts[0].ToLower() }
    }
    if (-not $want) { throw "wegweiser: $file is not in the server's SHA256SUMS" }
    $download = Join-Path $tmp 'wegweiser-agent.exe'
    Invoke-WebRequest -UseBasicParsing -Uri "$Server/agent/download/$file" -OutFile $download
    $got = (Get-FileHash -Algorithm SHA256 -Path $download).Hash.ToLower()
    if ($got -ne $want) { throw "wegweiser: checksum mismatch for ${file}: expected $want, got $got; nothing was installed" }
    Say "checksum verified ($got)"

    if (Test-Path $Bin) { & $Bin uninstall --binary $Bin 2>$null | Out-Null }
    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    Copy-Item -Force $download $Bin
    Say "installed $Bin"

    $out = & $Bin enroll --server $Server --key $Key 2>&1
    if ($LASTEXITCODE -ne 0) {
        if ("$out" -match 'already enrolled') { Say "already enrolled; keeping the enrolment" }
        else { Write-Host $out; throw "wegweiser: enrolment failed" }
    } else { Say "enrolled with $Server" }

    & $Bin once 2>&1 | Out-Null
    if ($LASTEXITCODE -eq 0) { Say "sent a first report" } else { Say "the first report failed (the agent retries)" }

    & $Bin install --binary $Bin
    if ($LASTEXITCODE -ne 0) { throw "wegweiser: registering the agent to start with Windows failed" }
    Say "the agent starts with the machine; done"
} finally {
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
