package collector

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

func TestParseOSRelease(t *testing.T) {
	name, ver, pretty := parseOSRelease(fixture(t, "linux/os-release"))
	if name != "Debian GNU/Linux" || ver != "12" || !strings.HasPrefix(pretty, "Debian GNU/Linux 12") {
		t.Fatalf("got %q %q %q", name, ver, pretty)
	}
}

func TestParseCPUInfoAndMemInfo(t *testing.T) {
	ci := parseCPUInfo(fixture(t, "linux/cpuinfo"))
	if ci.threads != 2 || ci.cores < 1 || ci.cores > 2 || !strings.Contains(ci.model, "Xeon") || !ci.hypervisor {
		t.Fatalf("cpuinfo = %+v", ci)
	}
	mem := parseMemInfo(fixture(t, "linux/meminfo"))
	if mem["MemTotal"] < 1<<30 || mem["MemTotal"]%1024 != 0 {
		t.Fatalf("MemTotal = %d", mem["MemTotal"])
	}
}

func TestDMIDateAndVirtual(t *testing.T) {
	if got := dmiDate("03/15/2023"); got != "2023-03-15" {
		t.Fatal(got)
	}
	if !looksVirtual("QEMU", "Standard PC (Q35 + ICH9, 2009)") || looksVirtual("LENOVO", "21CBCTO1WW") {
		t.Fatal("virtual detection wrong")
	}
}

func TestParseLspci(t *testing.T) {
	got := parseLspci(fixture(t, "linux/lspci-vmmk.txt"))
	if len(got) != 2 || got[0].name != "Intel Corporation Alder Lake-P GT2 [Iris Xe Graphics]" || got[0].driver != "i915" || got[1].driver != "nvidia" {
		t.Fatalf("gpus = %+v", got)
	}
}

func TestParseBatteryUevent(t *testing.T) {
	b := parseBatteryUevent(fixture(t, "linux/battery-uevent-energy.txt"))
	if b.DesignCapacityMwh != 57000 || b.FullChargeCapacityMwh != 48210 || b.CycleCount != 212 || b.ChargePercent != 85 {
		t.Fatalf("energy battery = %v", b)
	}
	c := parseBatteryUevent(fixture(t, "linux/battery-uevent-charge.txt"))
	// 4,000,000 µAh × 11.4 V = 45,600 mWh; 3,650,000 µAh → 41,610 mWh.
	if c.DesignCapacityMwh != 45600 || c.FullChargeCapacityMwh != 41610 || c.ChargePercent != 70 {
		t.Fatalf("charge battery = %v", c)
	}
}

func TestParseLsblk(t *testing.T) {
	info, err := parseLsblk(fixture(t, "linux/lsblk-laptop.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.disks) != 2 {
		t.Fatalf("disks = %v", info.disks)
	}
	nv, hdd := info.disks[0], info.disks[1]
	if nv.Name != "/dev/nvme0n1" || nv.MediaType != "nvme" || nv.Model != "SAMSUNG MZVL2512HCJQ-00BL7" || nv.SizeBytes != 512110190592 {
		t.Errorf("nvme = %v", nv)
	}
	if hdd.MediaType != "hdd" || hdd.SerialNumber != "WD-WX12D81ABCDE" {
		t.Errorf("hdd = %v", hdd)
	}
	if !info.encrypted["/"] || !info.encrypted["[SWAP]"] || info.encrypted["/boot"] || info.encrypted["/srv/data"] {
		t.Errorf("encrypted = %v", info.encrypted)
	}
	if info.labels["/srv/data"] != "data" || info.labels["/"] != "root" {
		t.Errorf("labels = %v", info.labels)
	}

	old, err := parseLsblk(fixture(t, "linux/lsblk-old.json")) // util-linux 2.32: strings, "mountpoint"
	if err != nil {
		t.Fatal(err)
	}
	if len(old.disks) != 1 || old.disks[0].SizeBytes != 256060514304 || old.disks[0].MediaType != "ssd" || old.disks[0].Model != "INTEL SSDSC2KB256G8" {
		t.Fatalf("old lsblk disks = %v", old.disks)
	}
	if len(old.encrypted) != 0 {
		t.Fatalf("old lsblk encrypted = %v", old.encrypted)
	}

	vm, err := parseLsblk(fixture(t, "linux/lsblk-vm.json")) // this machine's real output
	if err != nil || len(vm.disks) != 1 || vm.disks[0].Name != "/dev/vda" {
		t.Fatalf("vm lsblk = %v, %v", vm.disks, err)
	}
}

func TestApplySmartctl(t *testing.T) {
	ata := &agentv1.PhysicalDisk{Name: "/dev/sda"}
	if err := applySmartctl(ata, fixture(t, "linux/smartctl-ata.json")); err != nil {
		t.Fatal(err)
	}
	if ata.ReallocatedSectors != 8 || ata.PendingSectors != 2 || ata.PowerOnHours != 21345 || ata.TemperatureCelsius != 34 || ata.Health != "warning" || ata.SmartFailurePredicted {
		t.Errorf("ata = %v", ata)
	}
	nv := &agentv1.PhysicalDisk{Name: "/dev/nvme0n1"}
	if err := applySmartctl(nv, fixture(t, "linux/smartctl-nvme.json")); err != nil {
		t.Fatal(err)
	}
	if nv.WearPercent != 7 || nv.PowerOnHours != 5231 || nv.TemperatureCelsius != 41 || nv.Health != "healthy" {
		t.Errorf("nvme = %v", nv)
	}
	bad := &agentv1.PhysicalDisk{Name: "/dev/sdb"}
	if err := applySmartctl(bad, fixture(t, "linux/smartctl-failing.json")); err != nil {
		t.Fatal(err)
	}
	if !bad.SmartFailurePredicted || bad.Health != "failing" || bad.ReallocatedSectors != 3912 {
		t.Errorf("failing = %v", bad)
	}
	usb := &agentv1.PhysicalDisk{Name: "/dev/sdc", Health: "unknown"}
	if err := applySmartctl(usb, fixture(t, "linux/smartctl-usb.json")); err == nil || !strings.Contains(err.Error(), "Unknown USB bridge") {
		t.Errorf("usb bridge err = %v", err)
	}
	if usb.Health != "unknown" {
		t.Errorf("usb health = %q", usb.Health)
	}
}

func TestParseRouteAndResolv(t *testing.T) {
	if got := parseProcNetRoute(fixture(t, "linux/route")); !slices.Equal(got, []string{"192.0.2.1"}) {
		t.Fatalf("gateways = %v", got)
	}
	if got := parseResolvConf(fixture(t, "linux/resolv.conf")); !slices.Equal(got, []string{"10.255.255.53"}) {
		t.Fatalf("dns = %v", got)
	}
}

func TestParseDpkgQuery(t *testing.T) {
	sw := parseDpkgQuery(fixture(t, "linux/dpkg-query.txt"))
	if len(sw) != 60 {
		t.Fatalf("%d packages", len(sw))
	}
	a := sw[0]
	if a.Name != "adduser" || a.Version != "3.134" || a.Publisher != "Debian Adduser Developers" || a.InstallDate != "2025-05-20" || a.Source != "dpkg" {
		t.Fatalf("first = %v", a)
	}
	// Packages removed but with configuration left are not installed.
	rc := parseDpkgQuery([]byte("oldpkg\t1.0\tX <x@y>\t1700000000\tdeinstall ok config-files\n"))
	if len(rc) != 0 {
		t.Fatalf("config-files package listed: %v", rc)
	}
}

func TestParseRpmQA(t *testing.T) {
	sw := parseRpmQA(fixture(t, "linux/rpm-qa.txt"))
	if len(sw) != 5 { // gpg-pubkey is not software
		t.Fatalf("%d packages: %v", len(sw), sw)
	}
	if sw[4].Name != "zabbix-agent2" || sw[4].Publisher != "Zabbix LLC" || sw[4].InstallDate != "2024-05-20" || sw[4].Version != "6.4.15-release1.el9" {
		t.Fatalf("zabbix = %v", sw[4])
	}
}

func TestParseSystemctl(t *testing.T) {
	svcs := parseSystemctlUnits(fixture(t, "linux/systemctl-list-units.txt"))
	modes := parseSystemctlUnitFiles(fixture(t, "linux/systemctl-list-unit-files.txt"))
	byName := map[string]*agentv1.Service{}
	for _, s := range svcs {
		s.StartMode = modes[s.Name]
		byName[s.Name] = s
	}
	if len(svcs) != 12 || byName["auditd"] != nil {
		t.Fatalf("%d services (not-found units must be skipped)", len(svcs))
	}
	cases := map[string][2]string{
		"cups":           {"failed", "enabled"},
		"ssh":            {"running", "enabled"},
		"apt-daily":      {"stopped", "static"},
		"apparmor":       {"exited", "enabled"},
		"NetworkManager": {"running", "enabled"},
	}
	for name, want := range cases {
		s := byName[name]
		if s == nil || s.State != want[0] || s.StartMode != want[1] {
			t.Errorf("%s = %v, want %v", name, s, want)
		}
	}
	if byName["ssh"].DisplayName != "OpenBSD Secure Shell server" {
		t.Errorf("display name = %q", byName["ssh"].DisplayName)
	}
}

func TestParseAptOutputs(t *testing.T) {
	sim := parseAptSimulate(fixture(t, "linux/apt-get-s-upgrade.txt")) // real output of this machine
	if len(sim) != 115 {
		t.Fatalf("apt-get -s: %d updates", len(sim))
	}
	if sim[0].Title != "base-files" || sim[0].Id != "12.4+deb12u15" || sim[0].Classification != "update" {
		t.Errorf("first = %v", sim[0])
	}
	sec := 0
	for _, u := range sim {
		if u.Classification == "security" {
			sec++
		}
	}
	if sec == 0 || sec == len(sim) {
		t.Errorf("%d of %d classified security", sec, len(sim))
	}

	list := parseAptList(fixture(t, "linux/apt-list-upgradable.txt")) // real output of this machine
	if len(list) != 39 || list[0].Title != "appstream" || list[0].Classification != "update" || list[2].Title != "apt" || list[2].Classification != "security" || list[2].Id != "2.6.2" {
		t.Fatalf("apt list = %d %v", len(list), list[:3])
	}

	last := parseAptHistory(fixture(t, "linux/apt-history.log"))
	want := time.Date(2026, 11, 27, 18, 11, 26, 0, time.Local)
	if !last.Equal(want) {
		t.Errorf("last upgrade = %v, want %v", last, want)
	}
	if !aptUnattended(fixture(t, "linux/20auto-upgrades")) || aptUnattended([]byte(`APT::Periodic::Unattended-Upgrade "0";`)) {
		t.Error("unattended-upgrades detection wrong")
	}
}

func TestParseDnf(t *testing.T) {
	sec := parseDnfUpdateinfo(fixture(t, "linux/dnf-updateinfo.txt"))
	if sec["kernel"] != "security" || sec["openssl"] != "critical" || sec["tzdata"] != "" {
		t.Fatalf("updateinfo = %v", sec)
	}
	ups := parseDnfCheckUpdate(fixture(t, "linux/dnf-check-update.txt"), sec)
	var titles []string
	for _, u := range ups {
		titles = append(titles, u.Title+"="+u.Classification)
	}
	want := []string{"kernel=security", "kernel-core=security", "openssl=critical", "python3-urllib3-very-long-package-name-for-wrapping=update", "tzdata=update"}
	if !slices.Equal(titles, want) {
		t.Fatalf("check-update = %v", titles)
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("6.1.0-22-amd64", "6.1.0-9-amd64") <= 0 || compareVersions("5.14.0-427.20.1.el9_4.x86_64", "5.14.0-427.16.1.el9_4.x86_64") <= 0 || compareVersions("6.1.0-21-amd64", "6.1.0-21-amd64") != 0 {
		t.Fatal("version order wrong")
	}
	if !sameFlavourPortable("6.1.0-22-amd64", "6.1.0-9-amd64") || sameFlavourPortable("6.1.0-22-amd64", "6.1.0-22-cloud-amd64") {
		t.Fatal("flavour")
	}
}

func TestParseFirewalls(t *testing.T) {
	if on, ok := parseUfwStatus(fixture(t, "linux/ufw-status-active.txt")); !on || !ok {
		t.Error("ufw active")
	}
	if on, ok := parseUfwStatus(fixture(t, "linux/ufw-status-inactive.txt")); on || !ok {
		t.Error("ufw inactive")
	}
	if !parseNftRuleset(fixture(t, "linux/nft-ruleset.txt")) || parseNftRuleset(fixture(t, "linux/nft-ruleset-empty.txt")) {
		t.Error("nft")
	}
}

func TestParseGroupMembers(t *testing.T) {
	if got := parseGroupMembers(fixture(t, "linux/group"), "sudo", "wheel", "admin"); !slices.Equal(got, []string{"alice", "bob", "carol"}) {
		t.Fatalf("admins = %v", got)
	}
}

func TestParseJournal(t *testing.T) {
	groups, err := parseJournal(bytes.NewReader(fixture(t, "linux/journalctl.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*agentv1.EventLogGroup{}
	for _, g := range groups {
		got[g.Source+"/"+g.Level] = g
	}
	if len(groups) != 5 { // the info-level CRON entry is left out
		t.Fatalf("%d groups: %v", len(groups), groups)
	}
	if groups[0].Level != "critical" || groups[0].Source != "backup-agent.service" {
		t.Errorf("most severe first: %v", groups[0])
	}
	if !strings.HasPrefix(groups[0].SampleMessage, "Backup failed: ") || !strings.HasSuffix(groups[0].SampleMessage, " disk full") {
		t.Errorf("byte-array message = %q", groups[0].SampleMessage)
	}
	k := got["kernel/error"]
	if k == nil || k.Count != 2 || k.Log != "journal" || !k.FirstTime.AsTime().Equal(time.UnixMicro(1718870401000000)) ||
		!k.LastTime.AsTime().Equal(time.UnixMicro(1718870460000000)) || !strings.Contains(k.SampleMessage, "I/O 77") {
		t.Errorf("kernel errors = %v", k)
	}
	ssh := got["sshd/warning"]
	if ssh == nil || ssh.Count != 2 || !strings.Contains(ssh.SampleMessage, "maximum authentication attempts") {
		t.Errorf("sshd = %v", ssh)
	}
	if got["systemd/error"] == nil {
		t.Error("systemd error missing")
	}
}

func TestEventGroupsTruncateSample(t *testing.T) {
	g := newEventGroups()
	g.add("journal", "x", 0, "error", time.Unix(1, 0), strings.Repeat("ä", 1500))
	l := g.list(0)
	if n := len([]rune(l[0].SampleMessage)); n != 1000 {
		t.Fatalf("sample has %d characters", n)
	}
}

func TestParseCrashes(t *testing.T) {
	c := parseApportCrash(fixture(t, "linux/apport-crash.txt"))
	if c == nil || c.Application != "/usr/bin/nautilus" || !strings.Contains(c.Detail, "SIGSEGV") || c.Time == nil {
		t.Fatalf("apport = %v", c)
	}
	cs, err := parseCoredumpctl(fixture(t, "linux/coredumpctl.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Application != "/usr/lib/firefox/firefox" || cs[0].Detail != "signal 6 (SIGABRT)" || !cs[1].Time.AsTime().Equal(time.UnixMicro(1718874001987654)) {
		t.Fatalf("coredumpctl = %v", cs)
	}
}

func TestKernelFlavour(t *testing.T) {
	for in, want := range map[string]string{
		"6.1.0-22-amd64":               "amd64",
		"6.1.0-22-cloud-amd64":         "cloud-amd64",
		"6.5.0-41-generic":             "generic",
		"5.14.0-427.20.1.el9_4.x86_64": "el9_4.x86_64-",
		"6.18.44-fc-v657":              "fc-v657",
	} {
		if got := kernelFlavour(in); got != want {
			t.Errorf("kernelFlavour(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMdstat(t *testing.T) {
	arrays := parseMdstat(fixture(t, "linux/mdstat"))
	type want struct {
		name, level, state, detail string
		devices, active            int32
		rebuild                    float64
	}
	wants := []want{
		{"md1", "raid1", "healthy", "[2/2] [UU]", 2, 2, 0},
		{"md0", "raid1", "degraded", "[2/1] [U_]", 2, 1, 0},
		{"md2", "raid5", "rebuilding", "[3/2] [UU_] recovery = 8.5%", 3, 2, 8.5},
		{"md3", "raid10", "healthy", "[4/4] [UUUU] check = 52.1%", 4, 4, 0},
		{"md4", "raid0", "healthy", "", 2, 2, 0},
		{"md5", "", "failed", "inactive", 1, 0, 0},
	}
	if len(arrays) != len(wants) {
		t.Fatalf("arrays = %v", arrays)
	}
	for i, w := range wants {
		a := arrays[i]
		if a.Name != w.name || a.Level != w.level || a.State != w.state || a.Detail != w.detail || a.Devices != w.devices ||
			a.ActiveDevices != w.active || a.RebuildPercent != w.rebuild || a.Kind != "mdadm" {
			t.Errorf("%s = %v, want %+v", w.name, a, w)
		}
	}
	if !slices.Equal(arrays[1].Members, []string{"sdb1[1](F)", "sda1[0]"}) {
		t.Errorf("md0 members = %v", arrays[1].Members)
	}
	if got := parseMdstat([]byte("Personalities : \nunused devices: <none>\n")); len(got) != 0 {
		t.Errorf("no arrays = %v", got)
	}
}
