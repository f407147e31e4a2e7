# Wegweiser agent: Windows inventory. Prints one JSON object with a key per
# requested section and "errors" for sections that failed. Runs on Windows
# PowerShell 5.1 and PowerShell 7.
param([string]$Sections = 'os,hardware,storage,network,software,services,reboot,security')
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$want = @{}
foreach ($s in $Sections.Split(',')) { $want[$s.Trim()] = $true }
$out = [ordered]@{}
$errs = [ordered]@{}

function Iso($d) { if ($d) { ([datetime]$d).ToUniversalTime().ToString('o') } else { $null } }
function Safe([scriptblock]$block) { try { & $block } catch { $null } }
function Section($name, [scriptblock]$block) {
  if (-not $want[$name]) { return }
  try { $out[$name] = & $block } catch { $errs[$name] = $_.Exception.Message }
}

Section 'os' {
  $os = Get-CimInstance Win32_OperatingSystem
  $cs = Get-CimInstance Win32_ComputerSystem
  $cv = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
  $users = @(Safe { Get-CimInstance Win32_Process -Filter "Name='explorer.exe'" | ForEach-Object {
      $o = Invoke-CimMethod -InputObject $_ -MethodName GetOwner
      if ($o.User) { "$($o.Domain)\$($o.User)" } } } | Where-Object { $_ } | Select-Object -Unique)
  [ordered]@{
    Caption = $os.Caption; Version = $os.Version; BuildNumber = $os.BuildNumber
    DisplayVersion = $cv.DisplayVersion; ReleaseId = $cv.ReleaseId; UBR = $cv.UBR
    OSArchitecture = $os.OSArchitecture; ProductType = $os.ProductType
    LastBootUpTime = Iso $os.LastBootUpTime
    CSName = $os.CSName; Domain = $cs.Domain; PartOfDomain = $cs.PartOfDomain
    LoggedOnUsers = $users
    TimeZone = (Safe { (Get-TimeZone).Id })
  }
}

Section 'hardware' {
  $cs = Get-CimInstance Win32_ComputerSystem
  $bios = Get-CimInstance Win32_BIOS
  $cpu = @(Get-CimInstance Win32_Processor)
  $gpu = @(Safe { Get-CimInstance Win32_VideoController } | Where-Object { $_ })
  $bat = @(Safe { Get-CimInstance Win32_Battery } | Where-Object { $_ })
  $battery = $null
  if ($bat.Count -gt 0) {
    $static = Safe { Get-CimInstance -Namespace root/wmi -ClassName BatteryStaticData | Select-Object -First 1 }
    $full = Safe { Get-CimInstance -Namespace root/wmi -ClassName BatteryFullChargedCapacity | Select-Object -First 1 }
    $cycle = Safe { Get-CimInstance -Namespace root/wmi -ClassName BatteryCycleCount | Select-Object -First 1 }
    $battery = [ordered]@{
      EstimatedChargeRemaining = $bat[0].EstimatedChargeRemaining; Status = $bat[0].Status
      DesignCapacity = $static.DesignedCapacity; FullChargeCapacity = $full.FullChargedCapacity; CycleCount = $cycle.CycleCount
    }
  }
  [ordered]@{
    Manufacturer = $cs.Manufacturer; Model = $cs.Model; SystemFamily = $cs.SystemFamily
    TotalPhysicalMemory = $cs.TotalPhysicalMemory; HypervisorPresent = $cs.HypervisorPresent
    BIOS = [ordered]@{ Manufacturer = $bios.Manufacturer; SMBIOSBIOSVersion = $bios.SMBIOSBIOSVersion; ReleaseDate = Iso $bios.ReleaseDate; SerialNumber = $bios.SerialNumber }
    Processors = @($cpu | ForEach-Object { [ordered]@{ Name = "$($_.Name)".Trim(); NumberOfCores = $_.NumberOfCores; NumberOfLogicalProcessors = $_.NumberOfLogicalProcessors } })
    Gpus = @($gpu | ForEach-Object { [ordered]@{ Name = $_.Name; DriverVersion = $_.DriverVersion } })
    Battery = $battery
  }
}

Section 'storage' {
  $vols = @(Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3')
  $pd = @(Safe { Get-PhysicalDisk } | Where-Object { $_ })
  $bl = @(Safe { Get-BitLockerVolume } | Where-Object { $_ })
  $fp = @(Safe { Get-CimInstance -Namespace root/wmi -ClassName MSStorageDriver_FailurePredictStatus } | Where-Object { $_ -and $_.PredictFailure })
  # Storage Spaces: pools (not the primordial pool of unused disks) and their virtual disks.
  $pools = @(Safe { Get-StoragePool -IsPrimordial $false } | Where-Object { $_ })
  $vdisks = @(Safe { Get-VirtualDisk } | Where-Object { $_ })
  [ordered]@{
    SystemDrive = $env:SystemDrive
    Volumes = @($vols | ForEach-Object { [ordered]@{ DeviceID = $_.DeviceID; VolumeName = $_.VolumeName; FileSystem = $_.FileSystem; Size = $_.Size; FreeSpace = $_.FreeSpace } })
    PhysicalDisks = @($pd | ForEach-Object {
      $rc = Safe { $_ | Get-StorageReliabilityCounter }
      [ordered]@{ DeviceId = $_.DeviceId; FriendlyName = $_.FriendlyName; SerialNumber = "$($_.SerialNumber)".Trim(); Size = $_.Size
        MediaType = "$($_.MediaType)"; BusType = "$($_.BusType)"; HealthStatus = "$($_.HealthStatus)"
        Temperature = $rc.Temperature; Wear = $rc.Wear; PowerOnHours = $rc.PowerOnHours; ReadErrorsUncorrected = $rc.ReadErrorsUncorrected }
    })
    FailurePredicted = @($fp | ForEach-Object { $_.InstanceName })
    BitLocker = @($bl | ForEach-Object { [ordered]@{ MountPoint = $_.MountPoint; VolumeStatus = "$($_.VolumeStatus)"; ProtectionStatus = "$($_.ProtectionStatus)"; EncryptionMethod = "$($_.EncryptionMethod)"; EncryptionPercentage = $_.EncryptionPercentage } })
    StoragePools = @($pools | ForEach-Object { [ordered]@{ FriendlyName = $_.FriendlyName; HealthStatus = "$($_.HealthStatus)"; OperationalStatus = (@($_.OperationalStatus) -join ', ') } })
    VirtualDisks = @($vdisks | ForEach-Object { [ordered]@{ FriendlyName = $_.FriendlyName; ResiliencySettingName = $_.ResiliencySettingName
      HealthStatus = "$($_.HealthStatus)"; OperationalStatus = (@($_.OperationalStatus) -join ', '); NumberOfDataCopies = $_.NumberOfDataCopies } })
  }
}

Section 'network' {
  $ad = @(Get-NetAdapter | Where-Object { $_ })
  $gw = @(Safe { Get-NetRoute -DestinationPrefix '0.0.0.0/0', '::/0' } | Where-Object { $_ -and $_.NextHop -ne '0.0.0.0' -and $_.NextHop -ne '::' } | ForEach-Object { $_.NextHop } | Select-Object -Unique)
  $dns = @(Safe { Get-DnsClientServerAddress } | ForEach-Object { $_.ServerAddresses } | Where-Object { $_ } | Select-Object -Unique)
  [ordered]@{
    Adapters = @($ad | ForEach-Object { [ordered]@{ Name = $_.Name; InterfaceDescription = $_.InterfaceDescription; MacAddress = $_.MacAddress; LinkSpeedBps = $_.ReceiveLinkSpeed; Status = "$($_.Status)"; PhysicalMediaType = "$($_.PhysicalMediaType)" } })
    Gateways = $gw
    DnsServers = $dns
  }
}

Section 'software' {
  $machine = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*'
  $user = 'Registry::HKEY_USERS\*\Software\Microsoft\Windows\CurrentVersion\Uninstall\*'
  $pick = { $_.DisplayName -and -not $_.SystemComponent -and -not $_.ParentKeyName -and $_.ReleaseType -ne 'Update' -and $_.ReleaseType -ne 'Hotfix' -and $_.ReleaseType -ne 'Security Update' }
  $rows = @()
  $rows += @(Get-ItemProperty -Path $machine -ErrorAction SilentlyContinue | Where-Object $pick | ForEach-Object { [ordered]@{ DisplayName = $_.DisplayName; DisplayVersion = $_.DisplayVersion; Publisher = $_.Publisher; InstallDate = $_.InstallDate; WindowsInstaller = $_.WindowsInstaller; Scope = 'machine' } })
  $rows += @(Get-ItemProperty -Path $user -ErrorAction SilentlyContinue | Where-Object $pick | ForEach-Object { [ordered]@{ DisplayName = $_.DisplayName; DisplayVersion = $_.DisplayVersion; Publisher = $_.Publisher; InstallDate = $_.InstallDate; WindowsInstaller = $_.WindowsInstaller; Scope = 'user' } })
  , $rows
}

Section 'services' {
  , @(Get-Service -ErrorAction SilentlyContinue | ForEach-Object { [ordered]@{ Name = $_.Name; DisplayName = $_.DisplayName; Status = "$($_.Status)"; StartType = "$($_.StartType)" } })
}

Section 'reboot' {
  $sm = Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue
  $active = (Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ActiveComputerName' -ErrorAction SilentlyContinue).ComputerName
  $next = (Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName' -ErrorAction SilentlyContinue).ComputerName
  $wu = Get-Item 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired' -ErrorAction SilentlyContinue
  [ordered]@{
    WindowsUpdate = [bool]$wu
    ComponentServicing = Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'
    PendingFileRename = [bool]($sm.PendingFileRenameOperations)
    ComputerRename = [bool]($active -and $next -and $active -ne $next)
    UpdateExeVolatile = [bool](Safe { (Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Updates').UpdateExeVolatile })
  }
}

Section 'security' {
  $fw = @(Safe { Get-NetFirewallProfile } | Where-Object { $_ })
  $av = @(Safe { Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct } | Where-Object { $_ })
  $mp = Safe { Get-MpComputerStatus }
  $pol = Safe { Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' }
  $admins = @(Safe { Get-LocalGroupMember -SID 'S-1-5-32-544' | ForEach-Object { $_.Name } } | Where-Object { $_ })
  if ($admins.Count -eq 0) {
    $admins = @(Safe {
      $name = (New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')).Translate([System.Security.Principal.NTAccount]).Value.Split('\')[1]
      ([ADSI]"WinNT://./$name,group").Invoke('Members') | ForEach-Object { $_.GetType().InvokeMember('Name', 'GetProperty', $null, $_, $null) }
    } | Where-Object { $_ })
  }
  $defender = $null
  if ($mp) {
    $defender = [ordered]@{ AntivirusEnabled = $mp.AntivirusEnabled; RealTimeProtectionEnabled = $mp.RealTimeProtectionEnabled
      AntivirusSignatureLastUpdated = Iso $mp.AntivirusSignatureLastUpdated; AntivirusSignatureAge = $mp.AntivirusSignatureAge
      AntivirusSignatureVersion = $mp.AntivirusSignatureVersion }
  }
  [ordered]@{
    Firewall = @($fw | ForEach-Object { [ordered]@{ Name = "$($_.Name)"; Enabled = ("$($_.Enabled)" -eq 'True') } })
    AntiVirus = @($av | ForEach-Object { [ordered]@{ displayName = $_.displayName; productState = $_.productState; timestamp = $_.timestamp } })
    Defender = $defender
    InactivityTimeoutSecs = $pol.InactivityTimeoutSecs
    LocalAdmins = $admins
    SecureBoot = (Safe { Confirm-SecureBootUEFI })
  }
}

$out['errors'] = $errs
$out | ConvertTo-Json -Depth 6 -Compress
