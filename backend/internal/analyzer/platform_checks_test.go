package analyzer

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// withSnapshot returns a copy of a corpus fixture's input with its snapshot
// changed by edit.
func withSnapshot(t *testing.T, name string, edit func(in *Input, s *agentv1.Snapshot)) Input {
	t.Helper()
	in := corpusInput(t, name)
	in.Snapshot = proto.Clone(in.Snapshot).(*agentv1.Snapshot)
	edit(&in, in.Snapshot)
	return in
}

func TestMacModelTable(t *testing.T) {
	families := map[string]bool{}
	for id, m := range macModels {
		if macIdentifier.FindString(id) != id {
			t.Errorf("%s does not parse as a model identifier", id)
		}
		if m.year < 2012 || m.year > 2026 || m.name == "" {
			t.Errorf("%s: year %d, name %q", id, m.year, m.name)
		}
		families[strings.TrimRight(id[:strings.IndexByte(id, ',')], "0123456789")] = true
	}
	for _, f := range []string{"MacBook", "MacBookAir", "MacBookPro", "Macmini", "iMac", "iMacPro", "MacPro", "Mac"} {
		if !families[f] {
			t.Errorf("no %s identifiers in the table", f)
		}
	}
	cases := []struct {
		model string
		year  int
		id    string
	}{
		{"MacBookPro12,1", 2015, "MacBookPro12,1"},
		{"MacBook Pro (MacBookPro12,1)", 2015, "MacBookPro12,1"},
		{"MacBook Air (Mac14,2)", 2022, "Mac14,2"},
		{"iMac Pro (iMacPro1,1)", 2017, "iMacPro1,1"},
		{"Mac mini (Macmini8,1)", 2018, "Macmini8,1"},
		{"MacBookAir6,2", 2014, "MacBookAir6,2"}, // shared by Mid 2013 and Early 2014: the newest year
		{"MacPro6,1", 2013, "MacPro6,1"},
	}
	for _, c := range cases {
		y, id, _, ok := macModelYear(c.model)
		if !ok || y != c.year || id != c.id {
			t.Errorf("macModelYear(%q) = %d, %q, %v; want %d, %q", c.model, y, id, ok, c.year, c.id)
		}
	}
	for _, m := range []string{"MacBook Pro (14-inch, 2021)", "Mac99,9", "VMware7,1", ""} {
		if y, _, _, ok := macModelYear(m); ok {
			t.Errorf("macModelYear(%q) = %d, want no match", m, y)
		}
	}
}

func TestMacHardwareAgeFromIdentifier(t *testing.T) {
	mac := func(model string) Finding {
		in := withSnapshot(t, "mac-filevault-off-old-macos", func(_ *Input, s *agentv1.Snapshot) { s.Hardware.Model = model })
		return finding(t, mustAnalyze(t, in, Policy{}), "platform.mac_hardware_age")
	}
	// The corpus time is March 2026: a 2015 model is past Apple's 7 years.
	if f := mac("MacBook Pro (MacBookPro12,1)"); f.Status != Fail || !strings.Contains(f.Title, "2015") {
		t.Errorf("MacBookPro12,1: %s %q", f.Status, f.Title)
	}
	if f := mac("MacBook Air (Mac15,12)"); f.Status != Pass || !strings.Contains(f.Title, "2024") {
		t.Errorf("Mac15,12: %s %q", f.Status, f.Title)
	}
	if f := mac("MacBookAir10,1"); f.Status != Warn || !strings.Contains(f.Title, "2020") { // 5.7 years: vintage
		t.Errorf("MacBookAir10,1: %s %q", f.Status, f.Title)
	}
	// The year in the name is the fallback.
	if f := mac("MacBook Pro (14-inch, 2021)"); f.Status != Pass || !strings.Contains(f.Title, "2021") {
		t.Errorf("name with year: %s %q", f.Status, f.Title)
	}
	if f := mac("Mac99,1"); f.Status != Unknown || !strings.Contains(f.Detail, "Mac99,1") {
		t.Errorf("unknown identifier: %s %q", f.Status, f.Detail)
	}
}

func TestAntivirusPerProduct(t *testing.T) {
	const day = 24 * time.Hour
	av := func(name string, enabled, upToDate, reported bool, sigAge time.Duration) *agentv1.Antivirus {
		a := &agentv1.Antivirus{Name: name, Enabled: enabled, UpToDate: upToDate, UpToDateReported: reported}
		if sigAge > 0 {
			a.SignatureTime = timestamppb.New(goldenNow.Add(-sigAge))
		}
		return a
	}
	cases := []struct {
		name    string
		fixture string
		avs     []*agentv1.Antivirus
		want    Status
	}{
		{"XProtect a month old is current", "mac-filevault-off-old-macos", []*agentv1.Antivirus{av("XProtect", true, false, false, 40*day)}, Pass},
		{"XProtect past 60 days fails", "mac-filevault-off-old-macos", []*agentv1.Antivirus{av("XProtect", true, true, false, 70*day)}, Fail},
		{"XProtect without an age is unknown", "mac-filevault-off-old-macos", []*agentv1.Antivirus{av("XProtect", true, true, false, 0)}, Unknown},
		{"Defender a day old", "windows-workstation-healthy", []*agentv1.Antivirus{av("Microsoft Defender Antivirus", true, true, true, 1*day)}, Pass},
		{"Defender four days old", "windows-workstation-healthy", []*agentv1.Antivirus{av("Microsoft Defender Antivirus", true, true, true, 4*day)}, Fail},
		{"Defender reports itself out of date", "windows-workstation-healthy", []*agentv1.Antivirus{av("Microsoft Defender Antivirus", true, false, true, 1*day)}, Fail},
		{"third party trusted on its own status", "windows-workstation-healthy", []*agentv1.Antivirus{av("Sophos Endpoint Agent", true, true, true, 30*day)}, Pass},
		{"third party out of date by its own status", "windows-workstation-healthy", []*agentv1.Antivirus{av("Sophos Endpoint Agent", true, false, true, 1*day)}, Fail},
		{"third party without status or age", "windows-workstation-healthy", []*agentv1.Antivirus{av("ESET Endpoint Security", true, false, false, 0)}, Unknown},
		{"third party with only an old signature time", "linux-fresh-healthy", []*agentv1.Antivirus{av("ClamAV", true, false, false, 5*day)}, Fail},
		{"third party off", "windows-workstation-healthy", []*agentv1.Antivirus{av("ESET Endpoint Security", false, false, false, 0)}, Fail},
		{"passive Defender beside a current product", "windows-workstation-healthy", []*agentv1.Antivirus{
			av("Microsoft Defender Antivirus", false, false, true, 9*day), av("Sophos Endpoint Agent", true, true, true, 0)}, Pass},
	}
	for _, c := range cases {
		in := withSnapshot(t, c.fixture, func(_ *Input, s *agentv1.Snapshot) { s.Security.Antivirus = c.avs })
		f := finding(t, mustAnalyze(t, in, Policy{}), "security.antivirus")
		if f.Status != c.want {
			t.Errorf("%s: %s (%s: %s), want %s", c.name, f.Status, f.Title, f.Detail, c.want)
		}
	}
}

func TestBenignServicePatterns(t *testing.T) {
	for _, n := range []string{"GoogleUpdaterService128.0.6537.0", "GoogleUpdaterInternalService128.0.6537.0", "gupdate", "gupdatem",
		"edgeupdate", "edgeupdatem", "MozillaMaintenance", "clr_optimization_v4.0.30319_64", "OneSyncSvc_1a2b3", "sppsvc", "brave"} {
		if !isBenignStopped(n) {
			t.Errorf("%s is not recognised as benign", n)
		}
	}
	for _, n := range []string{"Spooler", "WinDefend", "LanmanServer", "MSSQLSERVER", "Veeam.Backup.Service", "bravery", "MicrosoftEdgeElevationService"} {
		if isBenignStopped(n) {
			t.Errorf("%s is treated as benign", n)
		}
	}
	// Through the check: a stopped versioned updater does not warn, a
	// stopped print spooler does.
	svc := func(names ...string) Status {
		in := withSnapshot(t, "windows-workstation-healthy", func(_ *Input, s *agentv1.Snapshot) {
			s.Services = nil
			for _, n := range names {
				s.Services = append(s.Services, &agentv1.Service{Name: n, State: "stopped", StartMode: "automatic"})
			}
			s.Services = append(s.Services, &agentv1.Service{Name: "EventLog", State: "running", StartMode: "automatic"})
		})
		return finding(t, mustAnalyze(t, in, Policy{}), "system.services").Status
	}
	if st := svc("GoogleUpdaterService128.0.6537.0", "GoogleUpdaterInternalService128.0.6537.0", "edgeupdate", "MozillaMaintenance"); st != Pass {
		t.Errorf("stopped updaters: %s, want pass", st)
	}
	if st := svc("GoogleUpdaterService128.0.6537.0", "Spooler"); st != Warn {
		t.Errorf("stopped spooler: %s, want warn", st)
	}
}

func TestUpdateEvidenceNamesPackages(t *testing.T) {
	in := withSnapshot(t, "linux-fresh-healthy", func(_ *Input, s *agentv1.Snapshot) {
		s.Patches.Missing = []*agentv1.MissingUpdate{
			{Title: "openssl", Classification: "security", Id: "3.0.15-1~deb12u1"},
			{Title: "linux-image-6.1.0-28-amd64", Classification: "security", Id: "6.1.119-1"},
			{Title: "curl", Classification: "update", Id: "7.88.1-10+deb12u8"},
		}
	})
	f := finding(t, mustAnalyze(t, in, Policy{}), "security.missing_critical_updates")
	var got string
	for _, ev := range f.Evidence {
		if ev.Label == "updates" {
			got = ev.Value
		}
	}
	if got != "openssl 3.0.15-1~deb12u1, linux-image-6.1.0-28-amd64 6.1.119-1" {
		t.Errorf("updates evidence = %q", got)
	}
	cases := map[*agentv1.MissingUpdate]string{
		{Title: "2024-11 Cumulative Update for Windows 11 (KB5046633)", Id: "KB5046633"}: "2024-11 Cumulative Update for Windows 11 (KB5046633)",
		{Title: "Servicing Stack Update", Id: "KB5031539"}:                               "Servicing Stack Update KB5031539",
		{Title: "macOS Sequoia 15.1.1", Id: "macOS Sequoia 15.1.1-24B91"}:                "macOS Sequoia 15.1.1",
		{Title: "Safari 17.6", Id: "Safari17.6SonomaAuto-17.6"}:                          "Safari 17.6",
		{Id: "KB5031539"}: "KB5031539",
	}
	for m, want := range cases {
		if got := updateName(m); got != want {
			t.Errorf("updateName(%v) = %q, want %q", m, got, want)
		}
	}
}

func TestHardeningAuditAge(t *testing.T) {
	audit := func(age time.Duration, idx int32) Finding {
		in := withSnapshot(t, "linux-fresh-healthy", func(in *Input, s *agentv1.Snapshot) {
			s.Hardening = &agentv1.HardeningAudit{Tool: "lynis", Version: "3.1.1", HardeningIndex: idx}
			if age >= 0 {
				s.Hardening.AuditTime = timestamppb.New(s.CollectedTime.AsTime().Add(-age))
			}
		})
		return finding(t, mustAnalyze(t, in, Policy{}), "security.hardening_index")
	}
	const day = 24 * time.Hour
	if f := audit(2*day, 45); f.Status != Fail {
		t.Errorf("current audit with index 45: %s", f.Status)
	}
	if f := audit(29*day, 45); f.Status != Fail {
		t.Errorf("29-day-old audit with index 45: %s", f.Status)
	}
	if f := audit(31*day, 45); f.Status != Unknown || f.Penalty != 0 || !strings.Contains(f.Title, "stale") {
		t.Errorf("31-day-old audit: %s %q", f.Status, f.Title)
	}
	if f := audit(400*day, 90); f.Status != Unknown {
		t.Errorf("year-old audit with a good index: %s, want unknown", f.Status)
	}
	if f := audit(-1, 45); f.Status != Unknown {
		t.Errorf("undated audit: %s, want unknown", f.Status)
	}
}

func TestSoftwareEOLByWhoSupportsTheBuild(t *testing.T) {
	eol := func(osName, osVersion string, sw ...*agentv1.InstalledSoftware) Result {
		in := withSnapshot(t, "linux-fresh-healthy", func(_ *Input, s *agentv1.Snapshot) {
			s.Os.Name, s.Os.Version, s.Software = osName, osVersion, sw
		})
		return mustAnalyze(t, in, Policy{})
	}
	status := func(r Result, subject string) Status {
		for _, f := range r.Findings {
			if f.CheckID == "software.end_of_life" && f.Subject == subject {
				return f.Status
			}
		}
		return Pass
	}
	// RHEL 8 ships Python 3.6 and supports it until 2029 (upstream ended 2021).
	r := eol("Red Hat Enterprise Linux", "8.10",
		&agentv1.InstalledSoftware{Name: "python3", Version: "3.6.8-62.el8_10", Publisher: "Red Hat, Inc.", Source: "rpm"},
		&agentv1.InstalledSoftware{Name: "postgresql12-server", Version: "12.20-1PGDG.rhel8", Publisher: "PostgreSQL Global Development Group", Source: "rpm"})
	if st := status(r, "python3"); st != Pass {
		t.Errorf("RHEL 8 python3 3.6: %s, want pass (Red Hat supports it)", st)
	}
	if st := status(r, "postgresql12-server"); st != Fail {
		t.Errorf("PGDG PostgreSQL 12 on RHEL 8: %s, want fail (upstream support ended)", st)
	}
	// Debian 11 (LTS until 2026-08-31, more than 180 days after the corpus
	// time): its python3.9 is supported although upstream ended 2025-10-31;
	// a NodeSource Node.js 16 is not.
	r = eol("Debian GNU/Linux", "11",
		&agentv1.InstalledSoftware{Name: "python3.9", Version: "3.9.2-1+deb11u2", Publisher: "Matthias Klose", Source: "dpkg"},
		&agentv1.InstalledSoftware{Name: "nodejs", Version: "16.20.2-1nodesource1", Source: "dpkg"})
	if st := status(r, "python3.9"); st != Pass {
		t.Errorf("Debian 11 python3.9: %s, want pass (Debian LTS supports it)", st)
	}
	if st := status(r, "nodejs"); st != Fail {
		t.Errorf("NodeSource Node.js 16: %s, want fail", st)
	}
	// On a distribution release that has ended, its packages are unsupported too.
	r = eol("Ubuntu", "20.04.6 LTS", &agentv1.InstalledSoftware{Name: "python3.8", Version: "3.8.10-0ubuntu1~20.04.18", Publisher: "Ubuntu Developers", Source: "dpkg"})
	if f := finding(t, r, "software.end_of_life", "python3.8"); f.Status != Fail || !strings.Contains(f.Detail, "Ubuntu 20.04") {
		t.Errorf("Ubuntu 20.04 python3.8: %s %q", f.Status, f.Detail)
	}
	// A vendor installer on Windows is judged by upstream.
	in := withSnapshot(t, "windows-workstation-healthy", func(_ *Input, s *agentv1.Snapshot) {
		s.Software = []*agentv1.InstalledSoftware{{Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0", Source: "msi"}}
	})
	if f := finding(t, mustAnalyze(t, in, Policy{}), "software.end_of_life", "Python 3.8.10 (64-bit)"); f.Status != Fail {
		t.Errorf("Windows Python 3.8: %s", f.Status)
	}
	for _, c := range []struct {
		p    *agentv1.InstalledSoftware
		want bool
	}{
		{&agentv1.InstalledSoftware{Name: "openssl", Version: "3.0.15-1~deb12u1", Source: "dpkg"}, true},
		{&agentv1.InstalledSoftware{Name: "php7.4-fpm", Version: "1:7.4.33-1+ubuntu22.04.1+deb.sury.org+1", Source: "dpkg"}, false},
		{&agentv1.InstalledSoftware{Name: "openssl", Version: "3.0.7-27.el9", Publisher: "Red Hat, Inc.", Source: "rpm"}, true},
		{&agentv1.InstalledSoftware{Name: "nodejs", Version: "20.11.1-1nodesource", Publisher: "NodeSource", Source: "rpm"}, false},
		{&agentv1.InstalledSoftware{Name: "python@3.9", Version: "3.9.19", Source: "brew"}, false},
	} {
		if got := distroPackage(c.p); got != c.want {
			t.Errorf("distroPackage(%s %s %s) = %v", c.p.Name, c.p.Version, c.p.Source, got)
		}
	}
}

func TestSSHServer(t *testing.T) {
	ssh := func(fixture string, cfg *agentv1.SshServer, addrs ...string) Finding {
		in := withSnapshot(t, fixture, func(_ *Input, s *agentv1.Snapshot) {
			s.Security.SshServer = cfg
			if len(addrs) > 0 {
				s.Network.Interfaces = []*agentv1.NetworkInterface{{Name: "eth0", Up: true, Addresses: addrs}}
			}
		})
		return finding(t, mustAnalyze(t, in, Policy{}), "security.ssh_server")
	}
	const lan, public = "10.20.1.80/24", "203.0.113.20/24"
	cases := []struct {
		name  string
		cfg   *agentv1.SshServer
		addr  string
		st    Status
		sev   Severity
		title string
	}{
		{"root with passwords", &agentv1.SshServer{Running: true, PermitRootLogin: "yes", PasswordAuthentication: true}, lan, Fail, High, "Root can log in over SSH with a password"},
		{"root with PAM keyboard-interactive", &agentv1.SshServer{Running: true, PermitRootLogin: "yes", KbdInteractiveAuthentication: true, UsePam: true}, lan, Fail, High, ""},
		{"passwords, internet-facing", &agentv1.SshServer{Running: true, PermitRootLogin: "prohibit-password", PasswordAuthentication: true}, public, Warn, Medium, "SSH accepts passwords on an internet-facing host"},
		{"passwords, LAN only", &agentv1.SshServer{Running: true, PermitRootLogin: "prohibit-password", PasswordAuthentication: true}, lan, Pass, Info, ""},
		{"passwords, public host but listening on the LAN", &agentv1.SshServer{Running: true, PermitRootLogin: "no", PasswordAuthentication: true, ListenAddresses: []string{"10.0.0.5"}}, public, Pass, Info, ""},
		{"passwords, listening everywhere", &agentv1.SshServer{Running: true, PermitRootLogin: "no", PasswordAuthentication: true, ListenAddresses: []string{"0.0.0.0:22", "[::]:22"}}, public, Warn, Medium, ""},
		{"passwords, global IPv6 only (behind the router's firewall)", &agentv1.SshServer{Running: true, PermitRootLogin: "no", PasswordAuthentication: true}, "2a02:810d:4b3f:e100::1d/64", Pass, Info, ""},
		{"passwords, carrier NAT address", &agentv1.SshServer{Running: true, PermitRootLogin: "no", PasswordAuthentication: true}, "100.72.1.9/10", Pass, Info, ""},
		{"root by key", &agentv1.SshServer{Running: true, PermitRootLogin: "yes"}, public, Warn, Low, "Root can log in over SSH (with keys)"},
		{"keys only", &agentv1.SshServer{Running: true, PermitRootLogin: "no"}, public, Pass, Info, ""},
		{"not running", &agentv1.SshServer{PermitRootLogin: "yes", PasswordAuthentication: true}, public, Pass, Info, ""},
		{"not reported", nil, lan, Unknown, Info, ""},
	}
	for _, c := range cases {
		f := ssh("linux-fresh-healthy", c.cfg, c.addr)
		if f.Status != c.st || f.Severity != c.sev || (c.title != "" && f.Title != c.title) {
			t.Errorf("%s: %s/%s %q, want %s/%s %q", c.name, f.Status, f.Severity, f.Title, c.st, c.sev, c.title)
		}
	}
	// Windows does not run this check.
	in := withSnapshot(t, "windows-workstation-healthy", func(_ *Input, s *agentv1.Snapshot) {
		s.Security.SshServer = &agentv1.SshServer{Running: true, PermitRootLogin: "yes", PasswordAuthentication: true}
	})
	if f := finding(t, mustAnalyze(t, in, Policy{}), "security.ssh_server"); f.Status != Unknown {
		t.Errorf("on Windows: %s", f.Status)
	}
}

func TestArrayHealth(t *testing.T) {
	arrays := func(fixture string, as []*agentv1.RaidArray, logs ...*agentv1.EventLogGroup) Result {
		in := withSnapshot(t, fixture, func(_ *Input, s *agentv1.Snapshot) {
			s.Storage.Arrays = as
			s.EventLogs = append(s.EventLogs, logs...)
		})
		return mustAnalyze(t, in, Policy{})
	}
	r := arrays("linux-fresh-healthy", []*agentv1.RaidArray{
		{Name: "md1", Kind: "mdadm", Level: "raid1", State: "healthy", Detail: "[2/2] [UU]", Devices: 2, ActiveDevices: 2},
		{Name: "md0", Kind: "mdadm", Level: "raid1", State: "degraded", Detail: "[2/1] [U_]", Devices: 2, ActiveDevices: 1, Members: []string{"sdb1[1](F)", "sda1[0]"}},
		{Name: "md2", Kind: "mdadm", Level: "raid5", State: "rebuilding", Detail: "[3/2] [UU_] recovery = 8.5%", RebuildPercent: 8.5},
		{Name: "md5", Kind: "mdadm", State: "failed", Detail: "inactive"},
	})
	for subject, want := range map[string][2]any{
		"array md1": {Pass, Info}, "array md0": {Fail, High}, "array md2": {Warn, Medium}, "array md5": {Fail, Critical},
	} {
		f := finding(t, r, "storage.array_health", subject)
		if f.Status != want[0] || f.Severity != want[1] {
			t.Errorf("%s: %s/%s (%s), want %v", subject, f.Status, f.Severity, f.Title, want)
		}
	}
	if !strings.Contains(finding(t, r, "storage.array_health", "array md2").Title, "8.5 %") {
		t.Error("the rebuild title does not give the progress")
	}
	// No arrays, no controller events: unknown.
	if f := finding(t, arrays("linux-fresh-healthy", nil), "storage.array_health"); f.Status != Unknown {
		t.Errorf("no arrays: %s", f.Status)
	}
	// A Windows server whose PERC reports a degraded virtual drive.
	r = arrays("windows-server-healthy", nil,
		&agentv1.EventLogGroup{Log: "System", Source: "percsas3i", EventId: 129, Level: "warning", Count: 2,
			FirstTime: timestamppb.New(goldenNow.Add(-30 * time.Hour)), LastTime: timestamppb.New(goldenNow.Add(-2 * time.Hour)),
			SampleMessage: "Controller ID: 0 State change on VD 01/1 from OPTIMAL(3) to DEGRADED(2)"},
		&agentv1.EventLogGroup{Log: "System", Source: "iaStorAC", EventId: 4, Level: "information", Count: 1,
			LastTime: timestamppb.New(goldenNow.Add(-2 * time.Hour)), SampleMessage: "Volume verification completed"})
	f := finding(t, r, "storage.array_health", "controller events")
	if f.Status != Warn || !strings.Contains(f.Title, "2 problems") {
		t.Errorf("controller events: %s %q", f.Status, f.Title)
	}
	for _, g := range []*agentv1.EventLogGroup{
		{Source: "megasas", Level: "error"}, {Source: "HpCISSs3", Level: "warning", SampleMessage: "Logical drive 1 is now in a degraded state"},
	} {
		if !isRAIDControllerEvent(g) {
			t.Errorf("%s %s not a controller event", g.Source, g.SampleMessage)
		}
	}
	for _, g := range []*agentv1.EventLogGroup{
		{Source: "iaStorAC", Level: "information", SampleMessage: "Volume verification completed"}, {Source: "Disk", Level: "error", SampleMessage: "bad block"},
	} {
		if isRAIDControllerEvent(g) {
			t.Errorf("%s %s counted as a controller event", g.Source, g.SampleMessage)
		}
	}
}
