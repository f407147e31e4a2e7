# Wegweiser agent: Windows updates. Prints one JSON object: installed
# hotfixes, updates the Windows Update agent finds missing, and its settings.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
function Iso($d) { if ($d) { ([datetime]$d).ToUniversalTime().ToString('o') } else { $null } }
$out = [ordered]@{}
try {
  $out.HotFixes = @(Get-HotFix | ForEach-Object { [ordered]@{ HotFixID = $_.HotFixID; Description = $_.Description; InstalledOn = Iso $_.InstalledOn } })
} catch { $out.HotFixError = $_.Exception.Message }
try {
  $searcher = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher()
  $res = $searcher.Search("IsInstalled=0 and IsHidden=0 and Type='Software'")
  $out.Missing = @($res.Updates | ForEach-Object { [ordered]@{
    Title = $_.Title; KB = @($_.KBArticleIDs | ForEach-Object { "$_" }); MsrcSeverity = $_.MsrcSeverity
    Categories = @($_.Categories | ForEach-Object { $_.Name }); LastDeploymentChangeTime = Iso $_.LastDeploymentChangeTime } })
} catch { $out.SearchError = $_.Exception.Message }
try {
  $au = New-Object -ComObject Microsoft.Update.AutoUpdate
  $out.LastSearchSuccessDate = Iso $au.Results.LastSearchSuccessDate
  $out.LastInstallationSuccessDate = Iso $au.Results.LastInstallationSuccessDate
  $out.NotificationLevel = $au.Settings.NotificationLevel
} catch { }
try {
  $pol = Get-ItemProperty 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU'
  $out.NoAutoUpdate = $pol.NoAutoUpdate
  $out.AUOptions = $pol.AUOptions
} catch { }
$out | ConvertTo-Json -Depth 5 -Compress
