package collector

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

func TestMacProfile(t *testing.T) {
	p, err := parseMacProfile(fixture(t, "darwin/system_profiler.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := p.os()
	if o.Platform != "macos" || o.Name != "macOS" || o.Version != "14.5" || o.Build != "23F79 / Darwin 23.5.0" || o.Hostname != "Alices-MacBook-Pro" {
		t.Errorf("os = %v", o)
	}
	hw := p.hardware()
	if hw.Model != "MacBook Pro (MacBookPro18,3)" || hw.SerialNumber != "C02G7ABCQ6LR" || hw.CpuModel != "Apple M1 Pro" ||
		hw.CpuCores != 10 || hw.MemoryBytes != 16<<30 || hw.BiosVersion != "10151.121.1" || hw.Virtual {
		t.Errorf("hardware = %v", hw)
	}
	if len(hw.Gpus) != 1 || hw.Gpus[0].Name != "Apple M1 Pro" {
		t.Errorf("gpus = %v", hw.Gpus)
	}
	if hw.Battery == nil || hw.Battery.CycleCount != 312 || hw.Battery.Condition != "Good" || hw.Battery.ChargePercent != 78 {
		t.Errorf("battery = %v", hw.Battery)
	}
	parseIoregBattery(fixture(t, "darwin/ioreg-battery.txt"), hw.Battery)
	// 6075 mAh × 12.63 V and 5411 mAh × 12.63 V.
	if hw.Battery.DesignCapacityMwh != 76727 || hw.Battery.FullChargeCapacityMwh != 68340 {
		t.Errorf("battery capacities = %v", hw.Battery)
	}
	st := p.storage()
	if len(st.Volumes) != 3 || len(st.Disks) != 2 {
		t.Fatalf("storage = %v", st)
	}
	var root *agentv1.Volume
	for _, v := range st.Volumes {
		if v.System {
			root = v
		}
	}
	if root == nil || root.MountPoint != "/" || root.FileSystem != "APFS" || root.SizeBytes != 494384795648 {
		t.Errorf("root volume = %v", root)
	}
	if st.Disks[0].Name != "APPLE SSD AP0512R" || st.Disks[0].MediaType != "nvme" || st.Disks[0].Health != "healthy" {
		t.Errorf("internal disk = %v", st.Disks[0])
	}
	if st.Disks[1].MediaType != "rotational" || st.Disks[1].Health != "unknown" {
		t.Errorf("external disk = %v", st.Disks[1])
	}
}

func TestMacApplications(t *testing.T) {
	apps, err := parseMacApplications(fixture(t, "darwin/applications.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range apps {
		names = append(names, a.Name+"|"+a.Publisher+"|"+a.Source)
	}
	want := []string{"Google Chrome|Google LLC|app", "Keynote||app-store", "Safari|Apple Inc.|app", "TeamViewer|TeamViewer Germany GmbH|app"}
	if !slices.Equal(names, want) { // Finder lives under /System and is left out
		t.Fatalf("apps = %v", names)
	}
	if apps[0].Version != "126.0.6478.62" || apps[0].InstallDate != "2024-06-18" {
		t.Errorf("chrome = %v", apps[0])
	}
}

func TestMacNetworkOutputs(t *testing.T) {
	if got := parseRouteGet(fixture(t, "darwin/route-get-default.txt")); !slices.Equal(got, []string{"192.168.1.1"}) {
		t.Errorf("gateway = %v", got)
	}
	if got := parseScutilDNS(fixture(t, "darwin/scutil-dns.txt")); !slices.Equal(got, []string{"192.168.1.1", "2001:db8::1"}) {
		t.Errorf("dns = %v", got)
	}
	ports := parseHardwarePorts(fixture(t, "darwin/networksetup-hardwareports.txt"))
	if ports["en0"] != "Wi-Fi" || ports["en4"] != "Ethernet Adapter (en4)" || ports["bridge0"] != "Thunderbolt Bridge" {
		t.Errorf("ports = %v", ports)
	}
}

func TestMacLaunchctl(t *testing.T) {
	svcs := parseLaunchctlList(fixture(t, "darwin/launchctl-list.txt"))
	got := map[string]string{}
	for _, s := range svcs {
		got[s.Name] = s.State
	}
	want := map[string]string{
		"com.apple.quicklook.ThumbnailsAgent": "failed",
		"com.teamviewer.service":              "running",
		"com.example.backupd":                 "failed",
		"com.microsoft.update.agent":          "stopped",
	}
	if len(got) != len(want) {
		t.Fatalf("services = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestMacSoftwareUpdate(t *testing.T) {
	ups := parseSoftwareUpdateList(fixture(t, "darwin/softwareupdate-l.txt"))
	if len(ups) != 4 {
		t.Fatalf("updates = %v", ups)
	}
	if ups[0].Title != "macOS Sonoma 14.6.1" || ups[0].Id != "macOS Sonoma 14.6.1-23G93" || ups[0].Classification != "important" {
		t.Errorf("macOS = %v", ups[0])
	}
	if ups[1].Title != "Safari 17.6" || ups[2].Classification != "security" || ups[3].Classification != "optional" {
		t.Errorf("others = %v", ups[1:])
	}
	if got := parseSoftwareUpdateList([]byte("Software Update Tool\n\nFinding available software\nNo new software available.\n")); len(got) != 0 {
		t.Errorf("no updates = %v", got)
	}
	last, auto := macUpdatePrefs(fixture(t, "darwin/softwareupdate-defaults.txt"))
	if !last.Equal(mustTime(t, "2024-06-20T07:43:02Z")) || !auto {
		t.Errorf("prefs = %v %v", last, auto)
	}
}

func TestMacSecurityOutputs(t *testing.T) {
	if on, ok := parseSocketFilterFW(fixture(t, "darwin/socketfilterfw-on.txt")); !on || !ok {
		t.Error("firewall on")
	}
	if on, ok := parseSocketFilterFW(fixture(t, "darwin/socketfilterfw-off.txt")); on || !ok {
		t.Error("firewall off")
	}
	if e := parseFdesetupStatus(fixture(t, "darwin/fdesetup-on.txt")); !e.Enabled || e.Method != "filevault" || e.Status != "FileVault is On" {
		t.Errorf("filevault on = %v", e)
	}
	if e := parseFdesetupStatus(fixture(t, "darwin/fdesetup-off.txt")); e.Enabled || e.Method != "none" {
		t.Errorf("filevault off = %v", e)
	}
	if e := parseFdesetupStatus(fixture(t, "darwin/fdesetup-progress.txt")); e.Enabled {
		t.Errorf("filevault in progress counted as done = %v", e)
	}
	if got := parseDsclMembers(fixture(t, "darwin/dscl-admin.txt")); !slices.Equal(got, []string{"root", "alice", "itadmin"}) {
		t.Errorf("admins = %v", got)
	}
}

func TestMacLog(t *testing.T) {
	groups, err := parseMacLog(bytes.NewReader(fixture(t, "darwin/log-show.ndjson")), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("groups = %v", groups)
	}
	if groups[0].Source != "kernel" || groups[0].Level != "critical" || groups[0].Log != "unified" {
		t.Errorf("fault = %v", groups[0])
	}
	if groups[1].Source != "coreaudiod" || groups[1].Count != 2 || !groups[1].LastTime.AsTime().Equal(mustTime(t, "2024-06-20T08:17:01.000001Z")) {
		t.Errorf("errors = %v", groups[1])
	}
	limited, _ := parseMacLog(bytes.NewReader(fixture(t, "darwin/log-show.ndjson")), 1)
	if len(limited) != 1 || limited[0].Count != 1 {
		t.Errorf("line limit ignored: %v", limited)
	}
}

func TestMacCrashReports(t *testing.T) {
	c := parseMacCrashReport(fixture(t, "darwin/Safari-2024-06-20-101532.ips"))
	if c == nil || c.Application != "Safari" || !c.Time.AsTime().Equal(mustTime(t, "2024-06-20T08:15:32Z")) ||
		!strings.Contains(c.Detail, "EXC_BAD_ACCESS SIGSEGV") {
		t.Errorf("crash = %v", c)
	}
	p := parseMacCrashReport(fixture(t, "darwin/panic-full-2024-06-19-220114.0002.ips"))
	if p == nil || p.Application != "kernel" || !strings.Contains(p.Detail, "watchdog timeout") {
		t.Errorf("panic = %v", p)
	}
	if h := parseMacCrashReport(fixture(t, "darwin/Spotlight-2024-06-20-080000.ips")); h != nil {
		t.Errorf("a hang report counted as a crash: %v", h)
	}
}

func TestParseBundleVersion(t *testing.T) {
	if v := parseBundleVersion(fixture(t, "darwin/XProtect-Info.plist")); v != "5287" {
		t.Errorf("XProtect version = %q, want 5287", v)
	}
	if v := parseBundleVersion([]byte("<plist><dict></dict></plist>")); v != "" {
		t.Errorf("version of an empty plist = %q", v)
	}
}
