package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var windowsApps = [][3]string{
	{"Microsoft 365 Apps for business - de-de", "16.0.18129.20158", "Microsoft Corporation"},
	{"Google Chrome", "131.0.6778.86", "Google LLC"},
	{"Mozilla Firefox (x64 de)", "132.0.2", "Mozilla"},
	{"Adobe Acrobat Reader DC", "24.004.20220", "Adobe"},
	{"7-Zip 24.08 (x64)", "24.08", "Igor Pavlov"},
	{"Microsoft Teams", "24295.605.3225.8804", "Microsoft Corporation"},
	{"Zoom Workplace (64-bit)", "6.2.11", "Zoom Communications, Inc."},
	{"TeamViewer", "15.59.5", "TeamViewer"},
	{"Java 8 Update 241", "8.0.2410.7", "Oracle Corporation"},
	{"Notepad++ (64-bit x64)", "8.7.1", "Notepad++ Team"},
	{"Microsoft Visual C++ 2015-2022 Redistributable (x64)", "14.40.33810.0", "Microsoft Corporation"},
	{"DATEV Arbeitsplatz", "16.1", "DATEV eG"},
}

var macApps = [][3]string{
	{"Google Chrome", "131.0.6778.86", "Google LLC"},
	{"Microsoft Outlook", "16.91", "Microsoft Corporation"},
	{"Slack", "4.41.97", "Slack Technologies"},
	{"zoom.us", "6.2.11", "Zoom"},
	{"1Password 7", "7.9.11", "AgileBits Inc."},
	{"Visual Studio Code", "1.95.3", "Microsoft Corporation"},
}

var linuxPkgs = [][3]string{
	{"openssh-server", "1:9.2p1-2+deb12u3", "Debian"},
	{"nginx", "1.22.1-9", "Debian"},
	{"postgresql-15", "15.8-0+deb12u1", "Debian"},
	{"docker-ce", "5:27.3.1-1~debian.12~bookworm", "Docker Inc."},
	{"openssl", "3.0.15-1~deb12u1", "Debian"},
	{"bash", "5.2.15-2+b7", "Debian"},
	{"systemd", "252.31-1~deb12u1", "Debian"},
	{"curl", "7.88.1-10+deb12u8", "Debian"},
}

func software(p Profile, rng *rand.Rand) []*agentv1.InstalledSoftware {
	base, src := windowsApps, "registry"
	switch p.Platform {
	case "macos":
		base, src = macApps, "app"
	case "linux":
		base, src = linuxPkgs, "dpkg"
	}
	var out []*agentv1.InstalledSoftware
	for _, a := range base {
		if rng.IntN(5) == 0 {
			continue
		}
		out = append(out, &agentv1.InstalledSoftware{Name: a[0], Version: a[1], Publisher: a[2], Source: src,
			InstallDate: fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))})
	}
	// Plus a long tail of libraries and components, as real machines have.
	for i := 0; i < 40+rng.IntN(120); i++ {
		out = append(out, &agentv1.InstalledSoftware{Name: fmt.Sprintf("lib-component-%03d", rng.IntN(400)), Version: fmt.Sprintf("%d.%d", 1+rng.IntN(3), rng.IntN(20)), Publisher: "Various", Source: src})
	}
	return out
}

func services(p Profile, m Machine) []*agentv1.Service {
	switch p.Platform {
	case "windows":
		fw := "running"
		if m.Has(FirewallOff) {
			fw = "stopped"
		}
		return []*agentv1.Service{
			{Name: "wuauserv", DisplayName: "Windows Update", State: "running", StartMode: "manual"},
			{Name: "mpssvc", DisplayName: "Windows Defender Firewall", State: fw, StartMode: "automatic"},
			{Name: "WinDefend", DisplayName: "Microsoft Defender Antivirus Service", State: "running", StartMode: "automatic"},
			{Name: "Spooler", DisplayName: "Print Spooler", State: "running", StartMode: "automatic"},
		}
	case "macos":
		return []*agentv1.Service{{Name: "com.apple.softwareupdated", State: "running", StartMode: "enabled"}}
	default:
		return []*agentv1.Service{
			{Name: "ssh.service", State: "running", StartMode: "enabled"},
			{Name: "cron.service", State: "running", StartMode: "enabled"},
			{Name: "unattended-upgrades.service", State: "running", StartMode: "enabled"},
		}
	}
}

// security draws its facts as if machine f's problems were present (see
// Machine.facts) and shows m's.
func security(p Profile, m, f Machine, now time.Time, rng *rand.Rand) *agentv1.Security {
	ts := timestamppb.New
	s := &agentv1.Security{SecureBoot: p.Platform == "windows"}
	switch p.Platform {
	case "windows":
		for _, prof := range []string{"Domain", "Private", "Public"} {
			s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{Profile: prof, Enabled: !(m.Has(FirewallOff) && prof != "Domain"), Product: "windows-firewall"})
		}
		sig := now.Add(-time.Duration(2+rng.IntN(10)) * time.Hour)
		upToDate := true
		if f.Has(AntivirusStale) {
			stale := now.Add(-time.Duration(6+rng.IntN(20)) * 24 * time.Hour)
			if m.Has(AntivirusStale) {
				sig, upToDate = stale, false
			}
		}
		s.Antivirus = []*agentv1.Antivirus{{Name: "Microsoft Defender Antivirus", Enabled: true, UpToDate: upToDate, SignatureTime: ts(sig)}}
		s.Encryption = &agentv1.DiskEncryption{Enabled: !m.Has(NoEncryption), Method: "bitlocker", Status: map[bool]string{true: "Protection On", false: "Protection Off"}[!m.Has(NoEncryption)]}
		s.ScreenLock = &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 600}
		s.LocalAdmins = []string{"Administrator", "it-admin"}
	case "macos":
		s.Firewall = []*agentv1.FirewallProfile{{Profile: "default", Enabled: !m.Has(FirewallOff), Product: "socketfilterfw"}}
		s.Encryption = &agentv1.DiskEncryption{Enabled: !m.Has(NoEncryption), Method: "filevault", Status: map[bool]string{true: "FileVault is On.", false: "FileVault is Off."}[!m.Has(NoEncryption)]}
		s.ScreenLock = &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 300}
		// XProtect updates every few weeks: stale means months, not days.
		xpSig := now.Add(-time.Duration(3+rng.IntN(20)) * 24 * time.Hour)
		if m.Has(AntivirusStale) {
			xpSig = now.Add(-time.Duration(75+rng.IntN(60)) * 24 * time.Hour)
		}
		s.Antivirus = []*agentv1.Antivirus{{Name: "XProtect", Enabled: true, SignatureTime: ts(xpSig), SignatureVersion: "5300"}}
	default:
		s.Firewall = []*agentv1.FirewallProfile{{Profile: "default", Enabled: !m.Has(FirewallOff), Product: "nftables"}}
		s.Encryption = &agentv1.DiskEncryption{Enabled: !m.Has(NoEncryption), Method: map[bool]string{true: "luks", false: "none"}[!m.Has(NoEncryption)]}
		// OpenSSH as distributions ship it, with keys only.
		s.SshServer = &agentv1.SshServer{Running: true, PermitRootLogin: "prohibit-password", UsePam: true, Source: "sshd -T",
			ListenAddresses: []string{"0.0.0.0:22", "[::]:22"}}
	}
	return s
}

func eventLogs(p Profile, m Machine, now time.Time, live *rand.Rand) []*agentv1.EventLogGroup {
	ts := timestamppb.New
	var out []*agentv1.EventLogGroup
	add := func(log, source string, id int64, level string, count int64, msg string) {
		out = append(out, &agentv1.EventLogGroup{Log: log, Source: source, EventId: id, Level: level, Count: count,
			FirstTime: ts(now.Add(-6 * 24 * time.Hour)), LastTime: ts(now.Add(-time.Duration(live.IntN(600)) * time.Minute)), SampleMessage: msg})
	}
	switch p.Platform {
	case "windows":
		add("System", "Service Control Manager", 7031, "error", int64(1+live.IntN(3)), "The Print Spooler service terminated unexpectedly. It has done this 1 time(s).")
		add("Application", "Microsoft-Windows-WMI", 10, "warning", int64(2+live.IntN(5)), "Event filter with query \"SELECT * FROM __InstanceModificationEvent\" could not be reactivated.")
		if m.Has(DiskErrors) || m.Has(SmartFailing) {
			add("System", "disk", 7, "error", int64(5+live.IntN(40)), `The device, \Device\Harddisk0\DR0, has a bad block.`)
			add("System", "Ntfs", 55, "error", int64(1+live.IntN(4)), "A corruption was discovered in the file system structure on volume C:.")
		}
		if m.Has(FailedLogons) {
			add("Security", "Microsoft-Windows-Security-Auditing", 4625, "warning", int64(40+live.IntN(200)), "An account failed to log on. Source Network Address: 203.0.113.45")
		}
	case "macos":
		add("system", "com.apple.xpc.launchd", 0, "warning", int64(3+live.IntN(9)), "Service exited with abnormal code: 1")
	default:
		add("journal", "systemd", 0, "warning", int64(1+live.IntN(4)), "Failed to start apt-daily.service - Daily apt download activities.")
		if m.Has(DiskErrors) || m.Has(SmartFailing) {
			add("journal", "kernel", 0, "error", int64(10+live.IntN(50)), "blk_update_request: I/O error, dev sda, sector 123456 op 0x0:(READ)")
		}
		if m.Has(FailedLogons) {
			add("journal", "sshd", 0, "warning", int64(80+live.IntN(400)), "Failed password for invalid user admin from 198.51.100.7 port 52144 ssh2")
		}
	}
	return out
}
