package analyzer

import (
	"fmt"
	"math"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// A probe builds an input whose measured value for one check is v, starting
// from a healthy fixture. eps is the smallest step the value can take
// (1 for counts); exact says whether v can be hit exactly (false for ages
// measured in years, where only both sides of the threshold are tested).
type probe struct {
	base  string
	eps   float64
	exact bool
	set   func(in *Input, s *agentv1.Snapshot, v float64)
}

const hour = float64(time.Hour)

// ago returns a timestamp v units of d before the analysis time.
func ago(in *Input, v float64, d time.Duration) *timestamppb.Timestamp {
	return timestamppb.New(in.Now.Add(-time.Duration(v * float64(d))))
}

var probes = map[string]probe{
	"hardware.battery_capacity": {"windows-laptop-failing-disk", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Hardware.Battery.DesignCapacityMwh, s.Hardware.Battery.FullChargeCapacityMwh = 100000, int64(math.Round(v*1000))
	}},
	"hardware.age": {"windows-workstation-healthy", 0.01, false, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Hardware.BiosDate = in.Now.Add(-time.Duration(v * 365.25 * 24 * hour)).Format("2006-01-02")
	}},
	"hardware.firmware_age": {"windows-workstation-healthy", 0.01, false, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Hardware.BiosDate = in.Now.Add(-time.Duration(v * 365.25 * 24 * hour)).Format("2006-01-02")
	}},
	"storage.volume_free_space": {"windows-workstation-healthy", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Volumes[0].SizeBytes, s.Storage.Volumes[0].FreeBytes = 1e12, int64(math.Round(v*1e10))
	}},
	"storage.smart_reallocated_sectors": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Disks[0].ReallocatedSectors = int64(v)
	}},
	"storage.smart_pending_sectors": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Disks[0].PendingSectors = int64(v)
	}},
	"storage.ssd_wear": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Disks[0].WearPercent = int32(v)
	}},
	"storage.disk_temperature": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Disks[0].TemperatureCelsius = int32(v)
	}},
	"storage.disk_power_on_hours": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Storage.Disks[0].PowerOnHours = int64(v)
	}},
	"performance.cpu": {"windows-workstation-healthy", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Performance.CpuPercent = []float64{v}
	}},
	"performance.memory": {"windows-workstation-healthy", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Performance.MemoryPercent = []float64{v}
	}},
	"performance.swap": {"windows-workstation-healthy", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Performance.SwapPercent = v
	}},
	"performance.load_average": {"linux-fresh-healthy", 0.01, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Hardware.CpuThreads = 4
		s.Performance.LoadAverage = []float64{0, 0, v * 4}
	}},
	"network.interface_errors": {"windows-workstation-healthy", 0.0001, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		i := s.Network.Interfaces[0]
		i.RxBytes, i.TxBytes = 1e9, 0 // 1e6 estimated packets
		i.RxErrors = int64(math.Round(v * 1e4))
	}},
	"network.link_speed": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Network.Interfaces[0].SpeedMbps = int64(v)
	}},
	"system.os_end_of_life": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		// Windows 11 24H2 Pro: end 2026-10-13.
		in.Now = time.Date(2026, 10, 13, 0, 0, 0, 0, time.UTC).Add(-time.Duration(v * 24 * hour))
		s.CollectedTime, in.ReceivedAt = timestamppb.New(in.Now), in.Now
	}},
	"system.uptime": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Os.BootTime = ago(in, v, 24*time.Hour)
	}},
	"system.pending_reboot": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.PendingReboot = &agentv1.PendingReboot{Pending: true, Reasons: []string{"windows-update"}, SinceTime: ago(in, v, 24*time.Hour)}
	}},
	"system.services": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		for i := 0; i < int(v); i++ {
			s.Services = append(s.Services, &agentv1.Service{Name: coreServicesWindows[i], State: "stopped", StartMode: "automatic"})
		}
	}},
	"system.agent_checkin": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		in.ReceivedAt = in.Now.Add(-time.Duration(v * float64(time.Minute)))
		s.CollectedTime = timestamppb.New(in.ReceivedAt)
	}},
	"system.clock_ahead": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		in.ReceivedAt = in.Now.Add(-time.Hour)
		s.CollectedTime = timestamppb.New(in.ReceivedAt.Add(time.Duration(v * float64(time.Minute))))
	}},
	"software.end_of_life": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		// Python 3.8: end 2024-10-07.
		in.Now = time.Date(2024, 10, 7, 0, 0, 0, 0, time.UTC).Add(-time.Duration(v * 24 * hour))
		s.CollectedTime, in.ReceivedAt = timestamppb.New(in.Now), in.Now
		s.Software = append(s.Software, &agentv1.InstalledSoftware{Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0"})
	}},
	"security.antivirus": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Security.Antivirus[0].SignatureTime = ago(in, v, 24*time.Hour)
		s.Security.Antivirus[0].UpToDate = true
	}},
	"security.screen_lock": {"windows-workstation-healthy", 1.0 / 60, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Security.ScreenLock.TimeoutSeconds = int32(math.Round(v * 60))
	}},
	"security.missing_critical_updates": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		for i := 0; i < int(v); i++ {
			s.Patches.Missing = append(s.Patches.Missing, &agentv1.MissingUpdate{Title: "Cumulative Update", Classification: "Critical", Id: fmt.Sprintf("KB%d", 5000000+i)})
		}
		s.Patches.Missing = append(s.Patches.Missing, &agentv1.MissingUpdate{Title: "Driver", Classification: "optional", Id: "KB1"})
	}},
	"security.last_update_age": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Patches.LastInstallTime = ago(in, v, 24*time.Hour)
	}},
	"security.local_admins": {"windows-workstation-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Security.LocalAdmins = nil
		for i := 0; i < int(v); i++ {
			s.Security.LocalAdmins = append(s.Security.LocalAdmins, fmt.Sprintf("admin%d", i))
		}
	}},
	"security.hardening_index": {"linux-fresh-healthy", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		s.Hardening.HardeningIndex = int32(v)
	}},
	"logs.disk_hardware_events": {"windows-workstation-healthy", 0.01, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{Log: "System", Source: "disk", EventId: 7, Level: "error", Count: 1,
			FirstTime: ago(in, v, time.Hour), LastTime: ago(in, v, time.Hour)})
	}},
	"logs.failed_logon_burst": {"windows-workstation-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{Log: "Security", Source: "Microsoft-Windows-Security-Auditing", EventId: 4625, Level: "warning",
			Count: int64(v), FirstTime: ago(in, 3, time.Minute), LastTime: ago(in, 1, time.Minute)})
	}},
	"logs.failed_logons": {"linux-fresh-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{Log: "journal", Source: "sshd", Level: "warning", Count: int64(v),
			FirstTime: ago(in, 6, 24*time.Hour), LastTime: ago(in, 1, time.Hour), SampleMessage: "Failed password for root from 192.0.2.9 port 4242 ssh2"})
	}},
	"logs.app_crashes": {"windows-workstation-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		for i := 0; i < int(v); i++ {
			s.Crashes = append(s.Crashes, &agentv1.Crash{Application: "EXCEL.EXE", Time: ago(in, float64(i), time.Hour)})
		}
		s.Crashes = append(s.Crashes, &agentv1.Crash{Application: "EXCEL.EXE", Time: ago(in, 8, 24*time.Hour)}) // outside the week
	}},
	"logs.system_crashes": {"windows-workstation-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		for i := 0; i < int(v); i++ {
			s.Crashes = append(s.Crashes, &agentv1.Crash{Application: "kernel", Time: ago(in, float64(i), time.Hour)})
		}
	}},
	"logs.error_volume": {"windows-workstation-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{Log: "System", Source: "DCOM", EventId: 10016, Level: "error", Count: int64(v),
			FirstTime: ago(in, 2, 24*time.Hour), LastTime: ago(in, 1, time.Hour)})
	}},
	"platform.windows_drivers": {"windows-workstation-healthy", 1, true, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.EventLogs = append(s.EventLogs, &agentv1.EventLogGroup{Log: "System", Source: "Microsoft-Windows-Kernel-PnP", EventId: 219, Level: "warning",
			Count: int64(v), FirstTime: ago(in, 2, 24*time.Hour), LastTime: ago(in, 1, time.Hour)})
	}},
	"platform.mac_hardware_age": {"mac-filevault-off-old-macos", 0.01, false, func(in *Input, s *agentv1.Snapshot, v float64) {
		s.Hardware.Model = "MacBook Pro (14-inch, 2021)"
		in.Now = time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(v * 365.25 * 24 * hour))
		s.CollectedTime, in.ReceivedAt = timestamppb.New(in.Now), in.Now
	}},
	"platform.macos_version_age": {"mac-filevault-off-old-macos", 1, true, func(_ *Input, s *agentv1.Snapshot, v float64) {
		// At the corpus time the newest counted major is 26.
		s.Os.Version = map[float64]string{0: "26.3", 1: "15.7.4", 2: "14.8.4", 3: "13.7.8", 4: "12.7.6"}[v]
	}},
}

// expect is the status a value should get under a check's thresholds.
func expect(c CheckInfo, warn, fail, crit *float64, v float64) (Status, bool) {
	bad := func(t *float64) bool {
		if t == nil {
			return false
		}
		switch c.Compare {
		case "<":
			return v < *t
		case "<=":
			return v <= *t
		case ">":
			return v > *t
		}
		return v >= *t
	}
	switch {
	case bad(crit):
		return Fail, true
	case bad(fail):
		return Fail, false
	case bad(warn):
		return Warn, false
	}
	return Pass, false
}

// TestThresholdBoundaries probes every check with a numeric threshold at
// the threshold and one step on either side, with the default thresholds
// and with overridden ones, and checks the status, the severity and the
// penalty that follow.
func TestThresholdBoundaries(t *testing.T) {
	for _, c := range Catalogue() {
		if c.Compare == "" {
			continue
		}
		p, ok := probes[c.ID]
		if !ok {
			t.Errorf("%s has thresholds but no boundary probe", c.ID)
			continue
		}
		base := corpusInput(t, p.base)
		run := func(t *testing.T, pol Policy, warn, fail, crit *float64) {
			for _, th := range []*float64{warn, fail, crit} {
				if th == nil {
					continue
				}
				vals := []float64{*th - p.eps, *th + p.eps}
				if p.exact {
					vals = append(vals, *th)
				}
				for _, v := range vals {
					if v < 0 {
						continue
					}
					in := base
					in.Snapshot = proto.Clone(base.Snapshot).(*agentv1.Snapshot)
					// Ages are measured from the collection time: make it Now.
					in.Snapshot.CollectedTime, in.ReceivedAt = timestamppb.New(in.Now), in.Now
					p.set(&in, in.Snapshot, v)
					r := mustAnalyze(t, in, pol)
					f := finding(t, r, c.ID)
					for _, g := range r.Findings { // the worst finding of the check
						if g.CheckID == c.ID && Penalty(g.Status, g.Severity) > Penalty(f.Status, f.Severity) {
							f = g
						}
					}
					wantSt, wantCrit := expect(c, warn, fail, crit, v)
					if c.ID == "system.services" && wantSt == Pass && v >= 1 {
						wantSt = Warn // core services below the fail threshold still warn
					}
					wantSev := Info
					switch {
					case wantCrit:
						wantSev = Critical
					case wantSt == Fail:
						wantSev = c.Severity
					case wantSt == Warn:
						wantSev = c.WarnSeverity
					}
					if o, ok := pol.Overrides[c.ID]; ok && o.Severity != nil && wantSt != Pass {
						wantSev = *o.Severity
					}
					if f.Status != wantSt || f.Severity != wantSev || f.Penalty != Deduction(c.Domain, wantSt, wantSev) {
						t.Errorf("value %v: %s/%s/%d, want %s/%s/%d (%s)", v, f.Status, f.Severity, f.Penalty, wantSt, wantSev, Deduction(c.Domain, wantSt, wantSev), f.Title)
					}
				}
			}
		}
		t.Run(c.ID, func(t *testing.T) {
			run(t, Policy{}, c.Warn, c.Fail, c.Critical)
		})
		// Overridden thresholds move the boundaries: scale each by 1.5 (or
		// shift it) and keep them in order.
		t.Run(c.ID+"/override", func(t *testing.T) {
			o := Override{CheckID: c.ID, Severity: ptr(Medium)}
			move := func(th *float64) *float64 {
				if th == nil {
					return nil
				}
				v := math.Round(*th*1.5*100) / 100
				if p.eps == 1 {
					v = math.Round(v) // counts
				}
				if *th == 0 {
					v = -30 // "fail 0 days before the end" → 30 days after
				}
				return &v
			}
			o.Warn, o.Fail, o.Critical = move(c.Warn), move(c.Fail), move(c.Critical)
			if c.ID == "platform.macos_version_age" {
				o.Warn, o.Fail = f64(2), f64(3)
			}
			if c.ID == "system.os_end_of_life" || c.ID == "software.end_of_life" {
				o.Warn, o.Fail = f64(90), f64(30)
			}
			if err := (Policy{Overrides: map[string]Override{c.ID: o}}).Validate(); err != nil {
				t.Fatal(err)
			}
			pol := Policy{Overrides: map[string]Override{c.ID: o}}
			// A critical crossing keeps critical unless severity is
			// overridden; here it is, so every bad status is medium.
			run(t, pol, o.Warn, o.Fail, o.Critical)
		})
	}
}

func TestUnknownWhenDataMissing(t *testing.T) {
	empty := Input{Snapshot: &agentv1.Snapshot{Os: &agentv1.OperatingSystem{Platform: "windows"}}, Now: goldenNow}
	r := mustAnalyze(t, empty, Policy{})
	for _, f := range r.Findings {
		if f.Penalty != 0 {
			t.Errorf("%s costs %d points on an empty snapshot", f.Key(), f.Penalty)
		}
		// An empty event-log list with no collector error means "no events".
		if f.Status != Unknown && f.Domain != Logs && f.CheckID != "system.collector_errors" && f.CheckID != "platform.windows_drivers" {
			t.Errorf("%s is %s on an empty snapshot", f.Key(), f.Status)
		}
	}
	// Checks for another OS are unknown, with the reason.
	linux := corpusInput(t, "linux-fresh-healthy")
	r = mustAnalyze(t, linux, Policy{})
	for _, id := range []string{"platform.windows_drivers", "platform.mac_hardware_age", "security.secure_boot", "security.antivirus", "hardware.battery_capacity"} {
		if f := finding(t, r, id); f.Status != Unknown || f.Detail == "" {
			t.Errorf("%s on Linux: %s (%q)", id, f.Status, f.Detail)
		}
	}
}

// TestEndOfLifeTables pins a few lookups of the dated tables.
func TestEndOfLifeTables(t *testing.T) {
	cases := []struct {
		platform, name, version, build string
		product, end                   string
	}{
		{"windows", "Windows 10 Pro", "22H2", "19045.5131", "Windows 10 22H2 (Home/Pro)", "2025-10-14"},
		{"windows", "Windows 10 Enterprise", "21H2", "", "Windows 10 21H2 (Enterprise/Education)", "2024-06-11"},
		{"windows", "Windows 10 Pro", "", "22631.4460", "Windows 11 23H2 (Home/Pro)", "2025-11-11"}, // registry still says 10
		{"windows", "Windows 10 Enterprise LTSC 2021", "21H2", "19044.1", "Windows 10 Enterprise LTSC 2021", "2027-01-12"},
		{"windows", "Windows Server 2012 R2 Standard", "", "9600", "Windows Server 2012 R2", "2023-10-10"},
		{"windows", "Windows Server 2022 Standard", "21H2", "20348.1", "Windows Server 2022", "2031-10-14"},
		{"macos", "macOS", "12.7.6", "", "macOS 12 Monterey", "2024-09-16"},
		{"macos", "macOS", "10.15.7", "", "macOS 10.15 Catalina", "2022-10-24"},
		{"linux", "Ubuntu", "20.04.6 LTS", "", "Ubuntu 20.04 LTS", "2025-05-31"},
		{"linux", "Debian GNU/Linux", "11", "", "Debian 11 (LTS)", "2026-08-31"},
		{"linux", "CentOS Stream", "9", "", "CentOS Stream 9", "2027-05-31"},
		{"linux", "CentOS Linux", "7", "", "CentOS Linux 7", "2024-06-30"},
		{"linux", "Red Hat Enterprise Linux", "9.4", "", "RHEL 9", "2032-05-31"},
	}
	for _, c := range cases {
		s, ok := lookupOSSupport(&agentv1.OperatingSystem{Platform: c.platform, Name: c.name, Version: c.version, Build: c.build})
		if !ok || s.product != c.product || s.end.Format("2006-01-02") != c.end {
			t.Errorf("%s %s %s: %v %q %s, want %q %s", c.name, c.version, c.build, ok, s.product, s.end.Format("2006-01-02"), c.product, c.end)
		}
	}
	for _, unknown := range []*agentv1.OperatingSystem{
		{Platform: "linux", Name: "Arch Linux", Version: "rolling"}, {Platform: "windows", Name: "Windows 11 Pro", Version: "31H2"}, {Platform: "macos", Version: "99.1"},
	} {
		if s, ok := lookupOSSupport(unknown); ok {
			t.Errorf("%v found as %q", unknown, s.product)
		}
	}
}

func TestSoftwareMatching(t *testing.T) {
	cases := []struct {
		name, version, want string // want "" = no rule
	}{
		{"Python 3.8.10 (64-bit)", "3.8.10150.0", "Python 3.8"},
		{"Python 3.11.4 (64-bit)", "3.11.4150.0", ""},
		{"python3.8", "3.8.10-0ubuntu1", "Python 3.8"},
		{"python3", "3.9.2-3", "Python 3.9"},
		{"python3", "3.11.2-1", ""},
		{"python3-dateutil", "2.8.1-6", ""},
		{"php7.4-fpm", "1:7.4.33-1", "PHP 7.4"},
		{"php", "2:8.2+93", ""},
		{"postgresql-12", "12.20-1", "PostgreSQL 12"},
		{"postgresql-15", "15.8-0+deb12u1", ""},
		{"postgresql-client-common", "248", ""},
		{"Node.js", "18.17.0", "Node.js 18"},
		{"nodejs", "20.11.1-1nodesource1", "Node.js 20"},
		{"nodejs", "22.3.0", ""},
		{"OpenSSL 1.1.1w Light (64-bit)", "1.1.1w", "OpenSSL 1.1.1"},
		{"openssl", "3.0.15-1~deb12u1", ""},
		{"Microsoft Office Professional Plus 2016", "16.0.4266.1001", "Microsoft Office 2016"},
		{"Microsoft Office 16 Click-to-Run Extensibility Component", "16.0.18526.20168", ""},
		{"Microsoft SQL Server 2012 Native Client", "11.4.7462.6", ""},
		{"Adobe Flash Player 32 NPAPI", "32.0.0.465", "Adobe Flash Player"},
		{"Java 8 Update 241", "8.0.2410.7", ""},
		{"Java 7 Update 80", "7.0.800", "Java 7"},
	}
	for _, c := range cases {
		got := ""
		for i := range softwareEOL {
			if softwareEOL[i].match(lower(c.name), c.version) {
				got = softwareEOL[i].product
				break
			}
		}
		if got != c.want {
			t.Errorf("%s %s → %q, want %q", c.name, c.version, got, c.want)
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
