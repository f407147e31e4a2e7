//go:build fixturegen

package analyzer

// Regenerates the fixture snapshots in testdata/ (not the goldens):
//
//	go test -tags fixturegen -run TestGenerateFixtures ./backend/internal/analyzer/
//
// The fixtures are the source of truth once written; this file only records
// how they were made. Simulated machines come from backend/internal/simulate.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/simulate"
)

func TestGenerateFixtures(t *testing.T) {
	now := goldenNow
	ts := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(now.Add(-d)) }
	day := 24 * time.Hour
	var corpus []corpusEntry
	write := func(name string, s *agentv1.Snapshot, server bool, received time.Time) {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
		if err := os.WriteFile(filepath.Join("testdata", name+".snapshot.json"), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		corpus = append(corpus, corpusEntry{Name: name, Server: server, ReceivedAt: received.UTC()})
	}

	winServices := []*agentv1.Service{
		{Name: "mpssvc", DisplayName: "Windows Defender Firewall", State: "running", StartMode: "automatic"},
		{Name: "WinDefend", DisplayName: "Microsoft Defender Antivirus Service", State: "running", StartMode: "automatic"},
		{Name: "EventLog", DisplayName: "Windows Event Log", State: "running", StartMode: "automatic"},
		{Name: "wuauserv", DisplayName: "Windows Update", State: "stopped", StartMode: "manual"},
		{Name: "gupdate", DisplayName: "Google Update Service", State: "stopped", StartMode: "automatic"},
		{Name: "GoogleUpdaterService128.0.6537.0", DisplayName: "Google Updater Service (GoogleUpdater 128.0.6537.0)", State: "stopped", StartMode: "automatic"},
		{Name: "Spooler", DisplayName: "Print Spooler", State: "running", StartMode: "automatic"},
	}
	winFirewall := func(on ...bool) []*agentv1.FirewallProfile {
		var out []*agentv1.FirewallProfile
		for i, p := range []string{"Domain", "Private", "Public"} {
			out = append(out, &agentv1.FirewallProfile{Profile: p, Enabled: on[i], Product: "windows-firewall"})
		}
		return out
	}
	defender := func(age time.Duration) []*agentv1.Antivirus {
		return []*agentv1.Antivirus{{Name: "Microsoft Defender Antivirus", Enabled: true, UpToDate: age < 3*day, SignatureTime: ts(age)}}
	}
	nic := func(name string, speed int64, addr string) *agentv1.NetworkInterface {
		return &agentv1.NetworkInterface{Name: name, MacAddress: "3c:52:82:10:20:30", Addresses: []string{addr, "fe80::1/64"}, Mtu: 1500,
			SpeedMbps: speed, Up: true, RxBytes: 48 << 30, TxBytes: 9 << 30, RxErrors: 0, TxErrors: 0}
	}
	perf := func(cpu, mem float64) *agentv1.Performance {
		p := &agentv1.Performance{SampleIntervalSeconds: 10, SwapPercent: 4}
		for i := 0; i < 6; i++ {
			p.CpuPercent = append(p.CpuPercent, cpu+float64(i%3))
			p.MemoryPercent = append(p.MemoryPercent, mem+float64(i%2))
		}
		return p
	}

	// 1. Healthy Windows 11 workstation.
	write("windows-workstation-healthy", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000001", CollectedTime: ts(3 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "windows", Name: "Windows 11 Pro", Version: "24H2", Build: "26100.3194", Architecture: "amd64",
			Hostname: "ACME-WS-014", BootTime: ts(3 * day), Timezone: "Europe/Berlin", LoggedInUsers: []string{"ACME\\jdoe"}},
		Hardware: &agentv1.Hardware{Manufacturer: "Dell Inc.", Model: "OptiPlex 7010", SerialNumber: "7K2LQ34", BiosVendor: "Dell Inc.",
			BiosVersion: "1.14.0", BiosDate: "2025-06-10", CpuModel: "13th Gen Intel(R) Core(TM) i5-13500", CpuCores: 14, CpuThreads: 20, MemoryBytes: 16 << 30},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{{MountPoint: "C:", FileSystem: "NTFS", SizeBytes: 476 << 30, FreeBytes: 301 << 30, System: true, Encrypted: true}},
			Disks: []*agentv1.PhysicalDisk{{Name: `\\.\PHYSICALDRIVE0`, Model: "SK hynix PC801 NVMe 512GB", SerialNumber: "SSB9N12345", SizeBytes: 512 << 30,
				MediaType: "nvme", Health: "healthy", PowerOnHours: 3120, TemperatureCelsius: 38, WearPercent: 2}},
		},
		Network:     &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{nic("Ethernet", 1000, "10.20.1.14/24")}, DefaultGateways: []string{"10.20.1.1"}, DnsServers: []string{"10.20.1.10", "10.20.1.11"}},
		Performance: perf(12, 48),
		Software: []*agentv1.InstalledSoftware{
			{Name: "Microsoft 365 Apps for business - de-de", Version: "16.0.18526.20168", Publisher: "Microsoft Corporation", Source: "registry"},
			{Name: "Google Chrome", Version: "133.0.6943.127", Publisher: "Google LLC", Source: "registry"},
			{Name: "7-Zip 24.09 (x64)", Version: "24.09", Publisher: "Igor Pavlov", Source: "registry"},
		},
		Services:      winServices,
		PendingReboot: &agentv1.PendingReboot{},
		Patches:       &agentv1.Patches{LastInstallTime: ts(6 * day), LastCheckTime: ts(5 * time.Hour), AutomaticUpdates: true},
		Security: &agentv1.Security{Firewall: winFirewall(true, true, true), Antivirus: defender(4 * time.Hour),
			Encryption: &agentv1.DiskEncryption{Enabled: true, Method: "bitlocker", Status: "Protection On"},
			ScreenLock: &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 600}, LocalAdmins: []string{"Administrator", "ACME\\Domain Admins"}, SecureBoot: true},
		EventLogs: []*agentv1.EventLogGroup{
			{Log: "Application", Source: "Microsoft-Windows-WMI", EventId: 10, Level: "warning", Count: 3, FirstTime: ts(5 * day), LastTime: ts(3 * day), SampleMessage: "Event filter with query could not be reactivated."},
		},
	}, false, now.Add(-2*time.Minute))

	// 2. Healthy Windows server.
	write("windows-server-healthy", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000002", CollectedTime: ts(4 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "windows", Name: "Windows Server 2022 Standard", Version: "21H2", Build: "20348.3207", Architecture: "amd64",
			Hostname: "ACME-DC01", Fqdn: "acme-dc01.acme.local", BootTime: ts(12 * day), Timezone: "Europe/Berlin", Server: true},
		Hardware: &agentv1.Hardware{Manufacturer: "Dell Inc.", Model: "PowerEdge T360", SerialNumber: "9XK2L34", BiosVendor: "Dell Inc.",
			BiosVersion: "1.3.2", BiosDate: "2025-04-02", CpuModel: "Intel(R) Xeon(R) E-2434", CpuCores: 4, CpuThreads: 8, MemoryBytes: 64 << 30},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{
				{MountPoint: "C:", FileSystem: "NTFS", SizeBytes: 240 << 30, FreeBytes: 121 << 30, System: true},
				{MountPoint: "D:", Label: "Data", FileSystem: "ReFS", SizeBytes: 3800 << 30, FreeBytes: 1900 << 30},
				{MountPoint: `\\?\Volume{4c1b}\`, Label: "Recovery", FileSystem: "NTFS", SizeBytes: 600 << 20, FreeBytes: 90 << 20},
			},
			Disks: []*agentv1.PhysicalDisk{
				{Name: `\\.\PHYSICALDRIVE0`, Model: "Dell BOSS-N1", SizeBytes: 240 << 30, MediaType: "ssd", Health: "healthy", PowerOnHours: 9800, TemperatureCelsius: 36, WearPercent: 3},
				{Name: `\\.\PHYSICALDRIVE1`, Model: "PERC H355 Virtual Disk", SizeBytes: 3800 << 30, MediaType: "hdd", Health: "healthy", PowerOnHours: 9800, TemperatureCelsius: 34},
			},
		},
		Network:       &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{nic("Embedded NIC 1", 1000, "10.20.0.10/24")}, DefaultGateways: []string{"10.20.0.1"}, DnsServers: []string{"127.0.0.1", "10.20.0.11"}},
		Performance:   perf(18, 55),
		Software:      []*agentv1.InstalledSoftware{{Name: "Microsoft Edge", Version: "133.0.3065.82", Source: "registry"}, {Name: "Veeam Agent for Microsoft Windows", Version: "6.3.0.177", Source: "registry"}},
		Services:      append(winServices, &agentv1.Service{Name: "NTDS", DisplayName: "Active Directory Domain Services", State: "running", StartMode: "automatic"}),
		PendingReboot: &agentv1.PendingReboot{},
		Patches:       &agentv1.Patches{LastInstallTime: ts(12 * day), LastCheckTime: ts(2 * time.Hour), AutomaticUpdates: true},
		Security: &agentv1.Security{Firewall: winFirewall(true, true, true), Antivirus: defender(6 * time.Hour),
			Encryption: &agentv1.DiskEncryption{Enabled: false, Method: "none", Status: "Fully Decrypted"},
			ScreenLock: &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 900}, LocalAdmins: []string{"Administrator", "ACME\\Domain Admins", "ACME\\Enterprise Admins"}, SecureBoot: true},
		EventLogs: []*agentv1.EventLogGroup{
			{Log: "System", Source: "Microsoft-Windows-DistributedCOM", EventId: 10016, Level: "error", Count: 41, FirstTime: ts(6 * day), LastTime: ts(2 * time.Hour), SampleMessage: "The application-specific permission settings do not grant Local Activation permission."},
			{Log: "Security", Source: "Microsoft-Windows-Security-Auditing", EventId: 4625, Level: "warning", Count: 4, FirstTime: ts(4 * day), LastTime: ts(1 * day), SampleMessage: "An account failed to log on. Source Network Address: 10.20.1.33"},
		},
	}, true, now.Add(-3*time.Minute))

	// 3. Windows laptop with a failing disk and a nearly full C: (critical).
	write("windows-laptop-failing-disk", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000003", CollectedTime: ts(6 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "windows", Name: "Windows 11 Pro", Version: "25H2", Build: "26200.7171", Architecture: "amd64",
			Hostname: "ACME-NB-031", BootTime: ts(9 * day), Timezone: "Europe/Berlin"},
		Hardware: &agentv1.Hardware{Manufacturer: "LENOVO", Model: "ThinkPad T14 Gen 3", SerialNumber: "PF3XK2LM", BiosVendor: "LENOVO",
			BiosVersion: "R23ET75W (1.51)", BiosDate: "2024-09-20", CpuModel: "12th Gen Intel(R) Core(TM) i7-1260P", CpuCores: 12, CpuThreads: 16, MemoryBytes: 16 << 30,
			Battery: &agentv1.Battery{DesignCapacityMwh: 52500, FullChargeCapacityMwh: 37800, CycleCount: 612, ChargePercent: 81}},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{{MountPoint: "C:", FileSystem: "NTFS", SizeBytes: 476 << 30, FreeBytes: 17 << 30, System: true, Encrypted: true}},
			Disks: []*agentv1.PhysicalDisk{{Name: `\\.\PHYSICALDRIVE0`, Model: "WDC PC SN530 SDBPNPZ-512G", SizeBytes: 512 << 30, MediaType: "ssd",
				Health: "failing", SmartFailurePredicted: true, ReallocatedSectors: 248, PendingSectors: 31, PowerOnHours: 14200, TemperatureCelsius: 52, WearPercent: 71}},
		},
		Network: &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{
			{Name: "WLAN", Addresses: []string{"192.168.178.40/24"}, Up: true, Wireless: true, SpeedMbps: 866, RxBytes: 12 << 30, TxBytes: 2 << 30},
		}, DefaultGateways: []string{"192.168.178.1"}, DnsServers: []string{"192.168.178.1"}},
		Performance:   perf(22, 71),
		Software:      []*agentv1.InstalledSoftware{{Name: "Microsoft 365 Apps for business - de-de", Version: "16.0.18526.20168", Source: "registry"}, {Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0", Source: "registry"}},
		Services:      winServices,
		PendingReboot: &agentv1.PendingReboot{Pending: true, Reasons: []string{"windows-update"}, SinceTime: ts(5 * day)},
		Patches:       &agentv1.Patches{LastInstallTime: ts(5 * day), LastCheckTime: ts(7 * time.Hour), AutomaticUpdates: true},
		Security: &agentv1.Security{Firewall: winFirewall(true, true, true), Antivirus: defender(20 * time.Hour),
			Encryption: &agentv1.DiskEncryption{Enabled: true, Method: "bitlocker", Status: "Protection On"},
			ScreenLock: &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 300}, LocalAdmins: []string{"Administrator", "acme-it"}, SecureBoot: true},
		EventLogs: []*agentv1.EventLogGroup{
			{Log: "System", Source: "disk", EventId: 7, Level: "error", Count: 23, FirstTime: ts(5 * day), LastTime: ts(3 * time.Hour), SampleMessage: `The device, \Device\Harddisk0\DR0, has a bad block.`},
			{Log: "System", Source: "disk", EventId: 153, Level: "warning", Count: 61, FirstTime: ts(6 * day), LastTime: ts(40 * time.Minute), SampleMessage: `The IO operation at logical block address 0x1a2b3c for Disk 0 was retried.`},
			{Log: "System", Source: "Ntfs", EventId: 55, Level: "error", Count: 2, FirstTime: ts(2 * day), LastTime: ts(20 * time.Hour), SampleMessage: "A corruption was discovered in the file system structure on volume C:."},
			{Log: "Application", Source: "Application Error", EventId: 1000, Level: "error", Count: 5, FirstTime: ts(4 * day), LastTime: ts(5 * time.Hour), SampleMessage: "Faulting application name: OUTLOOK.EXE"},
		},
		Crashes: []*agentv1.Crash{
			{Application: "OUTLOOK.EXE", Time: ts(5 * time.Hour), Detail: "ntdll.dll"}, {Application: "OUTLOOK.EXE", Time: ts(30 * time.Hour), Detail: "ntdll.dll"},
			{Application: "OUTLOOK.EXE", Time: ts(3 * day), Detail: "ntdll.dll"}, {Application: "OUTLOOK.EXE", Time: ts(4 * day), Detail: "ntdll.dll"},
			{Application: "OUTLOOK.EXE", Time: ts(4*day + time.Hour), Detail: "ntdll.dll"}, {Application: "Teams.exe", Time: ts(2 * day)},
			{Application: "OUTLOOK.EXE", Time: ts(12 * day), Detail: "older than a week"},
		},
	}, false, now.Add(-5*time.Minute))

	// 4. Mac with FileVault off and an old macOS.
	write("mac-filevault-off-old-macos", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000004", CollectedTime: ts(8 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "macos", Name: "macOS", Version: "13.7.1", Build: "22H221", Architecture: "amd64",
			Hostname: "ACME-IMAC-02", BootTime: ts(41 * day), Timezone: "Europe/Berlin", LoggedInUsers: []string{"anna"}},
		Hardware: &agentv1.Hardware{Manufacturer: "Apple Inc.", Model: "iMac (iMac19,1)", SerialNumber: "C02ZK1ABJV40",
			CpuModel: "Intel Core i5", CpuCores: 6, CpuThreads: 6, MemoryBytes: 16 << 30},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{
				{MountPoint: "/", FileSystem: "apfs", SizeBytes: 1000 << 30, FreeBytes: 412 << 30, System: true},
				{MountPoint: "/System/Volumes/Data", FileSystem: "apfs", SizeBytes: 1000 << 30, FreeBytes: 412 << 30},
				{MountPoint: "/System/Volumes/Preboot", FileSystem: "apfs", SizeBytes: 1000 << 30, FreeBytes: 412 << 30},
			},
			Disks: []*agentv1.PhysicalDisk{{Name: "disk0", Model: "APPLE SSD SM1024L", SizeBytes: 1000 << 30, MediaType: "ssd", Health: "healthy", WearPercent: 9}},
		},
		Network:       &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{nic("en0", 1000, "10.20.1.52/24")}, DefaultGateways: []string{"10.20.1.1"}, DnsServers: []string{"10.20.1.10"}},
		Performance:   &agentv1.Performance{CpuPercent: []float64{9, 14, 11, 8, 10, 12}, MemoryPercent: []float64{66, 67, 66, 68, 67, 66}, SampleIntervalSeconds: 10, LoadAverage: []float64{1.9, 2.1, 2.0}, SwapPercent: 22},
		Software:      []*agentv1.InstalledSoftware{{Name: "Microsoft Outlook", Version: "16.78", Source: "app"}, {Name: "Adobe Acrobat Reader DC", Version: "23.006.20360", Source: "app"}},
		Services:      []*agentv1.Service{{Name: "com.apple.softwareupdated", State: "running", StartMode: "enabled"}},
		PendingReboot: &agentv1.PendingReboot{},
		Patches:       &agentv1.Patches{LastInstallTime: ts(64 * day), LastCheckTime: ts(1 * day), AutomaticUpdates: false},
		Security: &agentv1.Security{
			Firewall:   []*agentv1.FirewallProfile{{Profile: "default", Enabled: true, Product: "socketfilterfw"}},
			Antivirus:  []*agentv1.Antivirus{{Name: "XProtect", Enabled: true, SignatureTime: ts(23 * day), SignatureVersion: "5287"}},
			Encryption: &agentv1.DiskEncryption{Enabled: false, Method: "filevault", Status: "FileVault is Off."},
			ScreenLock: &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 3600}, LocalAdmins: []string{"anna", "acmeadmin"}},
		EventLogs: []*agentv1.EventLogGroup{{Log: "system", Source: "com.apple.xpc.launchd", Level: "warning", Count: 7, FirstTime: ts(3 * day), LastTime: ts(1 * time.Hour), SampleMessage: "Service exited with abnormal code: 1"}},
	}, false, now.Add(-7*time.Minute))

	// 5. Linux server with a low Lynis score and an SSH brute-force burst.
	write("linux-server-lynis-ssh", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000005", CollectedTime: ts(2 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "linux", Name: "Ubuntu", Version: "22.04.5 LTS", Build: "5.15.0-131-generic", Architecture: "amd64",
			Hostname: "web-01", Fqdn: "web-01.acme.example", BootTime: ts(47 * day), Timezone: "Etc/UTC", Server: true},
		Hardware: &agentv1.Hardware{Manufacturer: "HPE", Model: "ProLiant DL20 Gen10", SerialNumber: "CZJ0123ABC", BiosVendor: "HPE", BiosVersion: "U43",
			BiosDate: "2020-03-11", CpuModel: "Intel(R) Xeon(R) E-2224", CpuCores: 4, CpuThreads: 4, MemoryBytes: 32 << 30},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{
				{MountPoint: "/", FileSystem: "ext4", SizeBytes: 900 << 30, FreeBytes: 160 << 30, System: true},
				{MountPoint: "/boot/efi", FileSystem: "vfat", SizeBytes: 512 << 20, FreeBytes: 500 << 20},
				{MountPoint: "/snap/core22/1748", FileSystem: "squashfs", SizeBytes: 80 << 20},
			},
			Disks: []*agentv1.PhysicalDisk{{Name: "/dev/sda", Model: "MK000960GWXFK", SizeBytes: 960 << 30, MediaType: "ssd", Health: "healthy", PowerOnHours: 41000, TemperatureCelsius: 31, WearPercent: 18, ReallocatedSectors: 0}},
		},
		Network: &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{
			{Name: "eno1", Addresses: []string{"203.0.113.20/24"}, Mtu: 1500, SpeedMbps: 1000, Up: true, RxBytes: 900 << 30, TxBytes: 2100 << 30, RxErrors: 12, TxErrors: 0},
			{Name: "docker0", Addresses: []string{"172.17.0.1/16"}, Up: true},
			{Name: "lo", Addresses: []string{"127.0.0.1/8"}, Up: true},
		}, DefaultGateways: []string{"203.0.113.1"}, DnsServers: []string{"127.0.0.53"}},
		Performance: &agentv1.Performance{CpuPercent: []float64{31, 35, 28, 40, 33, 30}, MemoryPercent: []float64{61, 61, 62, 62, 61, 61}, SampleIntervalSeconds: 10, LoadAverage: []float64{1.2, 1.1, 1.0}, SwapPercent: 8},
		Software: []*agentv1.InstalledSoftware{
			{Name: "openssh-server", Version: "1:8.9p1-3ubuntu0.11", Source: "dpkg"}, {Name: "nginx", Version: "1.18.0-6ubuntu14.5", Source: "dpkg"},
			{Name: "php7.4-fpm", Version: "1:7.4.33-1+ubuntu22.04.1+deb.sury.org+1", Source: "dpkg"}, {Name: "python3", Version: "3.10.6-1~22.04.1", Source: "dpkg"},
			{Name: "python3-dateutil", Version: "2.8.1-6", Source: "dpkg"}, {Name: "openssl", Version: "3.0.2-0ubuntu1.18", Source: "dpkg"},
		},
		Services: []*agentv1.Service{
			{Name: "ssh.service", State: "running", StartMode: "enabled"}, {Name: "nginx.service", State: "running", StartMode: "enabled"},
			{Name: "php7.4-fpm.service", State: "failed", StartMode: "enabled"}, {Name: "cron.service", State: "running", StartMode: "enabled"},
		},
		PendingReboot: &agentv1.PendingReboot{Pending: true, Reasons: []string{"kernel-update"}, SinceTime: ts(9 * day)},
		Patches: &agentv1.Patches{LastInstallTime: ts(9 * day), LastCheckTime: ts(3 * time.Hour), AutomaticUpdates: true, Missing: []*agentv1.MissingUpdate{
			{Title: "linux-image-5.15.0-133-generic", Classification: "security", Id: "5.15.0-133.143", PublishedTime: ts(8 * day)},
			{Title: "libc6", Classification: "important", Id: "2.35-0ubuntu3.9"},
		}},
		Security: &agentv1.Security{
			Firewall:    []*agentv1.FirewallProfile{{Profile: "default", Enabled: true, Product: "ufw"}},
			Encryption:  &agentv1.DiskEncryption{Enabled: false, Method: "none"},
			LocalAdmins: []string{"root", "deploy", "ubuntu", "jenkins", "backup"},
			SshServer: &agentv1.SshServer{Running: true, PermitRootLogin: "yes", PasswordAuthentication: true, UsePam: true,
				ListenAddresses: []string{"0.0.0.0:22", "[::]:22"}, Source: "sshd -T"}},
		EventLogs: []*agentv1.EventLogGroup{
			{Log: "journal", Source: "sshd", Level: "warning", Count: 346, FirstTime: ts(61 * time.Minute), LastTime: ts(51 * time.Minute), SampleMessage: "Failed password for invalid user admin from 198.51.100.7 port 52144 ssh2"},
			{Log: "journal", Source: "systemd", Level: "error", Count: 3, FirstTime: ts(2 * day), LastTime: ts(5 * time.Hour), SampleMessage: "php7.4-fpm.service: Failed with result 'exit-code'."},
		},
		Hardening: &agentv1.HardeningAudit{Tool: "lynis", Version: "3.0.9", HardeningIndex: 44, AuditTime: ts(20 * time.Hour),
			Warnings:    []string{"SSH-7408: PermitRootLogin yes", "FIRE-4512: iptables module(s) loaded, but no rules active"},
			Suggestions: []string{"AUTH-9230: Configure password hashing rounds", "SSH-7408: Consider hardening SSH configuration", "KRNL-6000: One or more sysctl values differ"}},
	}, true, now.Add(-1*time.Minute))

	// 6. Freshly installed, healthy Linux box.
	write("linux-fresh-healthy", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000006", CollectedTime: ts(1 * time.Minute), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "linux", Name: "Debian GNU/Linux", Version: "12", Build: "6.1.0-31-amd64", Architecture: "amd64",
			Hostname: "acme-ws-lx01", BootTime: ts(2 * day), Timezone: "Europe/Berlin", LoggedInUsers: []string{"maria"}},
		Hardware: &agentv1.Hardware{Manufacturer: "LENOVO", Model: "ThinkCentre M75q Gen 5", SerialNumber: "MJ0K1234", BiosVendor: "LENOVO", BiosVersion: "M4DKT1AA",
			BiosDate: "2025-07-22", CpuModel: "AMD Ryzen 5 PRO 8500GE", CpuCores: 6, CpuThreads: 12, MemoryBytes: 32 << 30},
		Storage: &agentv1.Storage{
			Volumes: []*agentv1.Volume{{MountPoint: "/", FileSystem: "ext4", SizeBytes: 460 << 30, FreeBytes: 431 << 30, System: true, Encrypted: true},
				{MountPoint: "/boot", FileSystem: "ext4", SizeBytes: 1 << 30, FreeBytes: 800 << 20}},
			Disks: []*agentv1.PhysicalDisk{{Name: "/dev/nvme0n1", Model: "Samsung SSD 990 PRO 512GB", SizeBytes: 512 << 30, MediaType: "nvme", Health: "healthy", PowerOnHours: 52, TemperatureCelsius: 41, WearPercent: 0}},
		},
		Network:       &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{nic("enp1s0", 1000, "10.20.1.80/24")}, DefaultGateways: []string{"10.20.1.1"}, DnsServers: []string{"10.20.1.10", "10.20.1.11"}},
		Performance:   &agentv1.Performance{CpuPercent: []float64{3, 4, 2, 5, 3, 4}, MemoryPercent: []float64{14, 14, 15, 14, 14, 14}, SampleIntervalSeconds: 10, LoadAverage: []float64{0.2, 0.15, 0.1}},
		Software:      []*agentv1.InstalledSoftware{{Name: "firefox-esr", Version: "128.7.0esr-1~deb12u1", Source: "dpkg"}, {Name: "libreoffice-core", Version: "4:7.4.7-1+deb12u6", Source: "dpkg"}, {Name: "python3.11", Version: "3.11.2-6+deb12u5", Source: "dpkg"}},
		Services:      []*agentv1.Service{{Name: "cron.service", State: "running", StartMode: "enabled"}, {Name: "unattended-upgrades.service", State: "running", StartMode: "enabled"}, {Name: "systemd-timesyncd.service", State: "running", StartMode: "enabled"}},
		PendingReboot: &agentv1.PendingReboot{},
		Patches:       &agentv1.Patches{LastInstallTime: ts(1 * day), LastCheckTime: ts(3 * time.Hour), AutomaticUpdates: true},
		Security: &agentv1.Security{
			Firewall:    []*agentv1.FirewallProfile{{Profile: "default", Enabled: true, Product: "nftables"}},
			Encryption:  &agentv1.DiskEncryption{Enabled: true, Method: "luks", Status: "active"},
			ScreenLock:  &agentv1.ScreenLock{Enabled: true, TimeoutSeconds: 300},
			LocalAdmins: []string{"maria", "acmeadmin"}, SecureBoot: true},
		Hardening: &agentv1.HardeningAudit{Tool: "lynis", Version: "3.0.8", HardeningIndex: 74, AuditTime: ts(6 * time.Hour), Suggestions: []string{"BOOT-5122: Set a password on GRUB boot loader"}},
	}, false, now.Add(-1*time.Minute))

	// 7. A snapshot with almost nothing in it: every collector failed.
	write("windows-collectors-failed", &agentv1.Snapshot{
		SnapshotId: "11111111-0000-4000-8000-000000000007", CollectedTime: ts(50 * time.Hour), AgentVersion: "0.1.0",
		Os: &agentv1.OperatingSystem{Platform: "windows", Hostname: "ACME-WS-099"},
		Errors: []*agentv1.CollectorError{{Collector: "hardware", Message: "WMI: access denied"}, {Collector: "eventlog", Message: "RPC server unavailable"},
			{Collector: "storage", Message: "timeout after 30s"}},
	}, false, now.Add(-49*time.Hour))

	// Simulated machines (backend/internal/simulate), chosen for variety.
	fleet := simulate.Fleet(20260302, "SIM", 80)
	want := []string{"healthy-windows", "healthy-linux", "sick-mac", "sick-windows-server", "sick-linux", "sick-windows"}
	picked := map[string]bool{}
	for _, m := range fleet {
		kind := "healthy-"
		if len(m.Problems) > 0 {
			kind = "sick-"
		}
		kind += m.Profile.Platform
		if m.Profile.Server && m.Profile.Platform == "windows" && len(m.Problems) > 0 {
			kind += "-server"
		}
		if picked[kind] || !contains(want, kind) {
			continue
		}
		picked[kind] = true
		name := fmt.Sprintf("sim-%s-%s", kind, m.Hostname)
		t.Logf("%s: %v", name, m.Problems)
		write(name, m.Snapshot(now.Add(-5*time.Minute), 0), m.Profile.Server, now.Add(-4*time.Minute))
	}

	b, err := json.MarshalIndent(corpus, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "corpus.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
