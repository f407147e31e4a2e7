// Package simulate is a fleet simulator: simulated agents with realistic,
// varied snapshots generated from a seed (healthy and sick machines of each
// OS) that enrol and report through the real AgentService. It drives the
// ingest benchmarks and is the demo-data generator.
package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Problem is something wrong with a simulated machine.
type Problem string

// The problems a sick machine can have.
const (
	DiskNearlyFull    Problem = "disk-nearly-full"
	SmartFailing      Problem = "smart-failing"
	FirewallOff       Problem = "firewall-off"
	AntivirusStale    Problem = "antivirus-stale"
	PendingReboot     Problem = "pending-reboot"
	MissingCritical   Problem = "missing-critical-updates"
	DiskErrors        Problem = "disk-errors"
	AppCrashes        Problem = "app-crashes"
	HighCPU           Problem = "high-cpu"
	NoEncryption      Problem = "no-encryption"
	WeakBattery       Problem = "weak-battery"
	FailedLogons      Problem = "failed-logons"
	LongUptime        Problem = "long-uptime"
	EndOfLifeOS       Problem = "end-of-life-os"
	LowHardeningScore Problem = "low-hardening-score"
	// AntivirusOff (real-time protection turned off) happens only in
	// stories (see Story), never at random.
	AntivirusOff Problem = "antivirus-off"
)

var allProblems = []Problem{DiskNearlyFull, SmartFailing, FirewallOff, AntivirusStale, PendingReboot, MissingCritical,
	DiskErrors, AppCrashes, HighCPU, NoEncryption, WeakBattery, FailedLogons, LongUptime, EndOfLifeOS, LowHardeningScore}

// Machine is one simulated endpoint, fixed by its seed.
type Machine struct {
	Index    int
	Hostname string
	Profile  Profile
	Serial   string
	Problems []Problem
	// Story, when set, is the machine's past (see At); nil means its
	// problems held throughout.
	Story *Story
	seed  uint64
	day   *day // set by At
}

// Profile is a kind of machine.
type Profile struct {
	Platform, OSName, OSVersion, Build, Manufacturer, Model, CPU string
	Server, Laptop                                               bool
	MemoryGiB                                                    int64
	DiskGiB                                                      int64
}

var profiles = []Profile{
	{Platform: "windows", OSName: "Windows 11 Pro", OSVersion: "23H2", Build: "22631.4460", Manufacturer: "Dell Inc.", Model: "Latitude 5440", CPU: "13th Gen Intel(R) Core(TM) i5-1345U", Laptop: true, MemoryGiB: 16, DiskGiB: 512},
	{Platform: "windows", OSName: "Windows 11 Pro", OSVersion: "24H2", Build: "26100.2314", Manufacturer: "LENOVO", Model: "ThinkCentre M70q Gen 4", CPU: "13th Gen Intel(R) Core(TM) i5-13400T", MemoryGiB: 16, DiskGiB: 256},
	{Platform: "windows", OSName: "Windows 10 Pro", OSVersion: "22H2", Build: "19045.5131", Manufacturer: "HP", Model: "EliteDesk 800 G5 SFF", CPU: "Intel(R) Core(TM) i5-9500", MemoryGiB: 8, DiskGiB: 256},
	{Platform: "windows", OSName: "Windows Server 2022 Standard", OSVersion: "21H2", Build: "20348.2849", Manufacturer: "Dell Inc.", Model: "PowerEdge T350", CPU: "Intel(R) Xeon(R) E-2336", Server: true, MemoryGiB: 64, DiskGiB: 1024},
	{Platform: "macos", OSName: "macOS", OSVersion: "15.1.1", Build: "24B91", Manufacturer: "Apple Inc.", Model: "MacBook Air (M2, 2022)", CPU: "Apple M2", Laptop: true, MemoryGiB: 16, DiskGiB: 512},
	{Platform: "macos", OSName: "macOS", OSVersion: "13.7.1", Build: "22H221", Manufacturer: "Apple Inc.", Model: "iMac (Retina 5K, 27-inch, 2019)", CPU: "Intel Core i5", MemoryGiB: 16, DiskGiB: 1024},
	{Platform: "linux", OSName: "Debian GNU/Linux", OSVersion: "12", Build: "6.1.0-27-amd64", Manufacturer: "Supermicro", Model: "SYS-E300-9D-4CN8TP", CPU: "Intel(R) Xeon(R) D-2123IT", Server: true, MemoryGiB: 32, DiskGiB: 960},
	{Platform: "linux", OSName: "Ubuntu", OSVersion: "22.04.5 LTS", Build: "5.15.0-125-generic", Manufacturer: "HPE", Model: "ProLiant MicroServer Gen10 Plus v2", CPU: "Intel(R) Xeon(R) E-2314", Server: true, MemoryGiB: 32, DiskGiB: 2000},
}

// Fleet returns n machines from seed: about a third of them healthy, the
// rest with one to three problems each.
func Fleet(seed uint64, prefix string, n int) []Machine {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]Machine, n)
	for i := range out {
		p := profiles[rng.IntN(len(profiles))]
		m := Machine{Index: i, Profile: p, seed: rng.Uint64(), Serial: fmt.Sprintf("%s%08X", map[bool]string{true: "SRV", false: "WS"}[p.Server], rng.Uint32())}
		kind := "WS"
		switch {
		case p.Server:
			kind = "SRV"
		case p.Laptop:
			kind = "NB"
		}
		m.Hostname = fmt.Sprintf("%s-%s-%03d", prefix, kind, i+1)
		if rng.IntN(3) != 0 {
			for k := 1 + rng.IntN(3); k > 0; k-- {
				pr := allProblems[rng.IntN(len(allProblems))]
				if pr == WeakBattery && !p.Laptop {
					continue
				}
				m.Problems = appendOnce(m.Problems, pr)
			}
		}
		out[i] = m
	}
	return out
}

func appendOnce(ps []Problem, p Problem) []Problem {
	for _, x := range ps {
		if x == p {
			return ps
		}
	}
	return append(ps, p)
}

// Has reports whether m has problem p.
func (m Machine) Has(p Problem) bool {
	for _, x := range m.Problems {
		if x == p {
			return true
		}
	}
	return false
}

// Snapshot returns the machine's snapshot number seq at time now. Most of it
// is the same from one snapshot to the next (as on a real machine); the
// performance samples always change. A machine of one day of its story
// (see At) is snapshot as it was that day, now being that day's time.
func (m Machine) Snapshot(now time.Time, seq int) *agentv1.Snapshot {
	rng := rand.New(rand.NewPCG(m.seed, 1)) // stable facts
	// f decides which facts are drawn: on every day of a story the same,
	// so that they do not change when a problem comes or goes.
	f := m.facts()
	live := rand.New(rand.NewPCG(m.seed, uint64(seq)+2))
	p := m.Profile
	ts := timestamppb.New
	boot := now.Add(-time.Duration(24+rng.IntN(24*10)) * time.Hour)
	if f.Has(LongUptime) {
		long := now.Add(-time.Duration(95+rng.IntN(40)) * 24 * time.Hour)
		if m.Has(LongUptime) {
			boot = long
		}
	}
	s := &agentv1.Snapshot{
		SnapshotId:    uuid.NewString(),
		CollectedTime: ts(now),
		AgentVersion:  "0.1.0",
		Os: &agentv1.OperatingSystem{
			Platform: p.Platform, Name: p.OSName, Version: p.OSVersion, Build: p.Build,
			Architecture: map[bool]string{true: "arm64", false: "amd64"}[p.CPU == "Apple M2"],
			Hostname:     m.Hostname, BootTime: ts(boot), Server: p.Server, Timezone: "Europe/Berlin",
			LoggedInUsers: []string{fmt.Sprintf("user%02d", rng.IntN(40))},
		},
		Hardware: &agentv1.Hardware{
			Manufacturer: p.Manufacturer, Model: p.Model, SerialNumber: m.Serial, CpuModel: p.CPU,
			CpuCores: int32(4 + rng.IntN(3)*2), CpuThreads: int32(8 + rng.IntN(3)*4), MemoryBytes: p.MemoryGiB << 30,
			BiosVendor: p.Manufacturer, BiosVersion: fmt.Sprintf("1.%d.%d", rng.IntN(20), rng.IntN(10)),
			BiosDate: fmt.Sprintf("20%02d-%02d-15", 18+rng.IntN(7), 1+rng.IntN(12)),
		},
	}
	if m.Has(EndOfLifeOS) && p.Platform == "windows" && !p.Server {
		s.Os.Name, s.Os.Version, s.Os.Build = "Windows 10 Pro", "21H2", "19044.3086"
	}
	if p.Laptop {
		design := int64(56000)
		full := design * int64(85+rng.IntN(14)) / 100
		if f.Has(WeakBattery) {
			weak := design * int64(45+rng.IntN(12)) / 100
			if m.Has(WeakBattery) {
				full = weak
			}
		}
		s.Hardware.Battery = &agentv1.Battery{DesignCapacityMwh: design, FullChargeCapacityMwh: full, CycleCount: int32(50 + rng.IntN(600)), ChargePercent: float64(20 + live.IntN(80)), Condition: "Good"}
	}
	// Storage.
	size := p.DiskGiB << 30
	freePct := 25 + rng.IntN(60)
	if f.Has(DiskNearlyFull) {
		nearly := 2 + rng.IntN(5)
		if m.Has(DiskNearlyFull) {
			freePct = nearly
		}
	}
	mount, fs := "/", "ext4"
	switch p.Platform {
	case "windows":
		mount, fs = "C:", "NTFS"
	case "macos":
		fs = "apfs"
	}
	encrypted := !m.Has(NoEncryption)
	s.Storage = &agentv1.Storage{
		Volumes: []*agentv1.Volume{{MountPoint: mount, FileSystem: fs, SizeBytes: size, FreeBytes: size * int64(freePct) / 100, System: true, Encrypted: encrypted}},
		Disks: []*agentv1.PhysicalDisk{{
			Name:  map[string]string{"windows": `\\.\PHYSICALDRIVE0`, "macos": "disk0", "linux": "/dev/nvme0n1"}[p.Platform],
			Model: "Samsung SSD 980 PRO", SerialNumber: fmt.Sprintf("S5GX%08X", rng.Uint32()), SizeBytes: size,
			MediaType: "nvme", Health: "healthy", PowerOnHours: int64(2000 + rng.IntN(30000)), TemperatureCelsius: int32(35 + rng.IntN(10)), WearPercent: int32(rng.IntN(30)),
		}},
	}
	if f.Has(SmartFailing) {
		realloc, pending := int64(120+rng.IntN(400)), int64(8+rng.IntN(40))
		if m.Has(SmartFailing) {
			d := s.Storage.Disks[0]
			d.Health, d.SmartFailurePredicted, d.ReallocatedSectors, d.PendingSectors, d.MediaType = "failing", true, realloc, pending, "hdd"
		}
	}
	// Linux servers mirror their system disk with md; a failing disk has
	// dropped out of the mirror.
	if p.Platform == "linux" && p.Server {
		md := &agentv1.RaidArray{Name: "md0", Kind: "mdadm", Level: "raid1", State: "healthy", Detail: "[2/2] [UU]", Devices: 2, ActiveDevices: 2,
			Members: []string{"nvme1n1p2[1]", "nvme0n1p2[0]"}}
		if m.Has(SmartFailing) {
			md.State, md.Detail, md.ActiveDevices, md.Members = "degraded", "[2/1] [U_]", 1, []string{"nvme1n1p2[1]", "nvme0n1p2[0](F)"}
		}
		s.Storage.Arrays = []*agentv1.RaidArray{md}
	}
	// Network.
	s.Network = &agentv1.Network{
		Interfaces: []*agentv1.NetworkInterface{{
			Name:       map[string]string{"windows": "Ethernet", "macos": "en0", "linux": "eno1"}[p.Platform],
			MacAddress: fmt.Sprintf("3c:52:82:%02x:%02x:%02x", rng.IntN(256), rng.IntN(256), rng.IntN(256)),
			Addresses:  []string{fmt.Sprintf("10.%d.%d.%d/24", 10+m.Index/250, rng.IntN(4), 10+m.Index%240)},
			Mtu:        1500, SpeedMbps: 1000, Up: true, RxBytes: int64(live.IntN(1 << 30)), TxBytes: int64(live.IntN(1 << 29)),
		}},
		DefaultGateways: []string{"10.0.0.1"}, DnsServers: []string{"10.0.0.2", "1.1.1.1"},
	}
	// Performance: always changes.
	cpuBase, memBase := 5.0+float64(rng.IntN(30)), 30.0+float64(rng.IntN(35))
	if m.Has(HighCPU) {
		cpuBase, memBase = 96, 93
	}
	perf := &agentv1.Performance{SampleIntervalSeconds: 10}
	for i := 0; i < 6; i++ {
		perf.CpuPercent = append(perf.CpuPercent, clamp(cpuBase+live.Float64()*8-4))
		perf.MemoryPercent = append(perf.MemoryPercent, clamp(memBase+live.Float64()*4-2))
	}
	s.Performance = perf
	s.Software = software(p, rng)
	s.Services = services(p, m)
	// Reboot, patches.
	s.PendingReboot = &agentv1.PendingReboot{}
	if f.Has(PendingReboot) {
		since := now.Add(-time.Duration(5+rng.IntN(20)) * 24 * time.Hour)
		if m.Has(PendingReboot) {
			s.PendingReboot = &agentv1.PendingReboot{Pending: true, Reasons: []string{"windows-update", "file-rename"}, SinceTime: ts(since)}
		}
	}
	s.Patches = &agentv1.Patches{LastInstallTime: ts(now.Add(-time.Duration(2+rng.IntN(12)) * 24 * time.Hour)), LastCheckTime: ts(now.Add(-6 * time.Hour)), AutomaticUpdates: true}
	if f.Has(MissingCritical) {
		lastInstall := ts(now.Add(-time.Duration(45+rng.IntN(60)) * 24 * time.Hour))
		if m.Has(MissingCritical) {
			s.Patches.LastInstallTime = lastInstall
			// What each OS's agent reports: update titles with KB numbers on
			// Windows, package names with their candidate version on Linux,
			// softwareupdate titles on macOS.
			switch p.Platform {
			case "linux":
				s.Patches.Missing = []*agentv1.MissingUpdate{
					{Title: "openssl", Classification: "security", Id: "3.0.15-1~deb12u1", PublishedTime: ts(now.Add(-20 * 24 * time.Hour))},
					{Title: "libssl3", Classification: "security", Id: "3.0.15-1~deb12u1"},
					{Title: "curl", Classification: "update", Id: "7.88.1-10+deb12u8"},
				}
			case "macos":
				s.Patches.Missing = []*agentv1.MissingUpdate{
					{Title: "macOS Sequoia 15.1.1", Classification: "security", Id: "macOS Sequoia 15.1.1-24B91", PublishedTime: ts(now.Add(-20 * 24 * time.Hour))},
				}
			default:
				s.Patches.Missing = []*agentv1.MissingUpdate{
					{Title: "2024-11 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems (KB5046633)", Classification: "critical", Id: "KB5046633", PublishedTime: ts(now.Add(-20 * 24 * time.Hour))},
					{Title: "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.123.0)", Classification: "security", Id: "KB2267602"},
				}
			}
		}
	}
	// Security.
	s.Security = security(p, m, f, now, rng)
	// Logs and crashes.
	s.EventLogs = eventLogs(p, m, now, live)
	if f.Has(AppCrashes) {
		for i := 0; i < 4+rng.IntN(8); i++ {
			if m.Has(AppCrashes) {
				s.Crashes = append(s.Crashes, &agentv1.Crash{Application: "OUTLOOK.EXE", Time: ts(now.Add(-time.Duration(i*13) * time.Hour)), Detail: "mso20win32client.dll"})
			}
		}
	}
	if p.Platform == "linux" {
		idx := int32(72 + rng.IntN(15))
		if f.Has(LowHardeningScore) {
			low := int32(40 + rng.IntN(12))
			if m.Has(LowHardeningScore) {
				idx = low
			}
		}
		s.Hardening = &agentv1.HardeningAudit{Tool: "lynis", Version: "3.0.8", HardeningIndex: idx, AuditTime: ts(now.Add(-24 * time.Hour)),
			Warnings: []string{"SSH-7408: Consider hardening SSH configuration"}, Suggestions: []string{"BOOT-5122: Set a password on GRUB boot loader"}}
	}
	if m.day != nil {
		m.applyDay(s, now)
	}
	return s
}

func clamp(v float64) float64 {
	switch {
	case v < 0:
		return 0
	case v > 100:
		return 100
	}
	return float64(int(v*10)) / 10
}
