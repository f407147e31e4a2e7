package collector

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

func TestWindowsInventoryWorkstation(t *testing.T) {
	inv, err := parseWinInventory(fixture(t, "windows/inventory-workstation.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := inv.os()
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Windows 11 Pro" || o.Version != "23H2" || o.Build != "10.0.22631.3737" || o.Architecture != "amd64" ||
		o.Fqdn != "desktop-4kq2m7n.corp.example.com" || o.Server || o.Timezone != "W. Europe Standard Time" ||
		!slices.Equal(o.LoggedInUsers, []string{`CORP\alice`}) || !o.BootTime.AsTime().Equal(mustTime(t, "2024-06-18T05:12:44.5Z")) {
		t.Errorf("os = %v", o)
	}
	hw, err := inv.hardware()
	if err != nil {
		t.Fatal(err)
	}
	if hw.Manufacturer != "Dell Inc." || hw.Model != "Latitude 5420" || hw.SerialNumber != "8XK2LM3" || hw.BiosDate != "2024-01-10" ||
		hw.CpuCores != 4 || hw.CpuThreads != 8 || hw.Virtual || len(hw.Gpus) != 2 {
		t.Errorf("hardware = %v", hw)
	}
	if b := hw.Battery; b == nil || b.DesignCapacityMwh != 63001 || b.FullChargeCapacityMwh != 54120 || b.CycleCount != 212 || b.Condition != "86% of design capacity" {
		t.Errorf("battery = %v", hw.Battery)
	}
	st, err := inv.storage()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Volumes) != 2 || !st.Volumes[0].System || !st.Volumes[0].Encrypted || st.Volumes[1].Encrypted || st.Volumes[1].Label != "Daten" {
		t.Errorf("volumes = %v", st.Volumes)
	}
	if d := st.Disks[0]; d.Name != `\\.\PHYSICALDRIVE0` || d.MediaType != "nvme" || d.Health != "healthy" || d.WearPercent != 3 || d.SmartFailurePredicted {
		t.Errorf("disk 0 = %v", d)
	}
	if d := st.Disks[1]; d.MediaType != "hdd" || d.Health != "failing" || !d.SmartFailurePredicted || d.PendingSectors != 12 {
		t.Errorf("disk 1 = %v", d)
	}

	n := &agentv1.Network{Interfaces: []*agentv1.NetworkInterface{{Name: "Wi-Fi", Addresses: []string{"192.168.1.23/24"}}}}
	inv.network(n)
	if len(n.Interfaces) != 2 || !n.Interfaces[0].Wireless || n.Interfaces[0].SpeedMbps != 866 || !n.Interfaces[0].Up ||
		n.Interfaces[1].Name != "Ethernet" || n.Interfaces[1].Up || n.Interfaces[1].MacAddress != "d0:8e:79:ab:cd:ef" {
		t.Errorf("interfaces = %v", n.Interfaces)
	}
	if !slices.Equal(n.DefaultGateways, []string{"192.168.1.1"}) || !slices.Equal(n.DnsServers, []string{"192.168.1.1", "fd00::1"}) {
		t.Errorf("network = %v", n)
	}

	sw, err := inv.software()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sw {
		names = append(names, s.Name+"|"+s.Source+"|"+s.InstallDate)
	}
	want := []string{"7-Zip 23.01 (x64)|registry|", "Google Chrome|msi|2024-06-12", "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33135|registry|2023-11-30", "Zoom Workplace|registry-user|2024-06-02"}
	if !slices.Equal(names, want) {
		t.Errorf("software = %v", names)
	}

	svcs, err := inv.services()
	if err != nil || len(svcs) != 5 || svcs[1].Name != "Spooler" || svcs[1].State != "stopped" || svcs[1].StartMode != "automatic" {
		t.Errorf("services = %v, %v", svcs, err)
	}

	r, err := inv.reboot()
	if err != nil || !r.Pending || !slices.Equal(r.Reasons, []string{"windows-update", "file-rename"}) {
		t.Errorf("reboot = %v, %v", r, err)
	}

	sec, err := inv.security()
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Firewall) != 3 || !sec.Firewall[0].Enabled || sec.Firewall[2].Enabled || sec.Firewall[2].Profile != "public" || sec.Firewall[0].Product != "windows-firewall" {
		t.Errorf("firewall = %v", sec.Firewall)
	}
	if len(sec.Antivirus) != 2 {
		t.Fatalf("antivirus = %v", sec.Antivirus)
	}
	def, sophos := sec.Antivirus[0], sec.Antivirus[1]
	if !def.Enabled || !def.UpToDate || !def.UpToDateReported || def.SignatureVersion != "1.413.233.0" || !def.SignatureTime.AsTime().Equal(mustTime(t, "2024-06-20T04:14:12Z")) {
		t.Errorf("defender = %v", def)
	}
	if sophos.Enabled || !sophos.UpToDate || !sophos.UpToDateReported { // 262144 = 0x40000: off, up to date (its own report)
		t.Errorf("sophos = %v", sophos)
	}
	if e := sec.Encryption; e == nil || !e.Enabled || e.Method != "bitlocker" || e.Status != "FullyEncrypted, protection on" {
		t.Errorf("encryption = %v", sec.Encryption)
	}
	if sec.ScreenLock == nil || sec.ScreenLock.TimeoutSeconds != 900 || !sec.SecureBoot || len(sec.LocalAdmins) != 3 {
		t.Errorf("security = %v", sec)
	}
}

func TestWindowsInventoryServerWithSingleObjects(t *testing.T) {
	inv, err := parseWinInventory(fixture(t, "windows/inventory-server.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := inv.os()
	if !o.Server || o.Fqdn != "" || o.Name != "Windows Server 2022 Standard" || len(o.LoggedInUsers) != 0 {
		t.Errorf("os = %v", o)
	}
	hw, _ := inv.hardware()
	if !hw.Virtual || hw.CpuCores != 4 || hw.CpuThreads != 4 || len(hw.Gpus) != 1 || hw.Battery != nil {
		t.Errorf("hardware = %v", hw)
	}
	st, _ := inv.storage()
	if len(st.Volumes) != 1 || st.Volumes[0].Encrypted || len(st.Disks) != 1 || st.Disks[0].MediaType != "unknown" {
		t.Errorf("storage = %v", st)
	}
	n := &agentv1.Network{}
	inv.network(n)
	if !slices.Equal(n.DefaultGateways, []string{"10.0.0.1"}) || n.Interfaces[0].SpeedMbps != 10000 {
		t.Errorf("network = %v", n)
	}
	if err := inv.sectionError("network"); err == nil || !strings.Contains(err.Error(), "Access denied") {
		t.Errorf("network error = %v", err)
	}
	if err := inv.sectionError("hardware"); err != nil {
		t.Errorf("empty error message counted: %v", err)
	}
	sec, _ := inv.security()
	// No Security Center on Server: Defender's own status stands in.
	if len(sec.Antivirus) != 1 || sec.Antivirus[0].Enabled || sec.Antivirus[0].UpToDate || sec.Antivirus[0].Name != "Microsoft Defender Antivirus" {
		t.Errorf("antivirus = %v", sec.Antivirus)
	}
	if sec.Encryption != nil || sec.ScreenLock != nil || sec.SecureBoot {
		t.Errorf("security = %v", sec)
	}
	r, _ := inv.reboot()
	if !r.Pending || !slices.Equal(r.Reasons, []string{"component-servicing"}) {
		t.Errorf("reboot = %v", r)
	}
}

func TestWindowsInventoryPartialWithBOM(t *testing.T) {
	inv, err := parseWinInventory(fixture(t, "windows/inventory-partial.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := inv.os()
	if err != nil || o.Version != "22H2" || !slices.Equal(o.LoggedInUsers, []string{`PC-RECEPTION\empfang`}) {
		t.Errorf("os = %v, %v", o, err)
	}
	if _, err := inv.security(); err == nil || !strings.Contains(err.Error(), "SecurityCenter2") {
		t.Errorf("security err = %v", err)
	}
	if _, err := inv.storage(); err == nil || err.Error() != "Access denied" {
		t.Errorf("storage err = %v", err)
	}
	if _, err := inv.hardware(); err == nil {
		t.Error("missing hardware section gave no error")
	}
}

func TestWindowsUpdates(t *testing.T) {
	p, err := parseWinUpdates(fixture(t, "windows/updates.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range p.Missing {
		got = append(got, m.Id+"="+m.Classification)
	}
	if want := []string{"KB5039212=critical", "KB2267602=definition", "=driver", "KB5038351=security"}; !slices.Equal(got, want) {
		t.Errorf("missing = %v", got)
	}
	if !p.LastInstallTime.AsTime().Equal(mustTime(t, "2024-06-13T03:12:00Z")) || !p.LastCheckTime.AsTime().Equal(mustTime(t, "2024-06-20T07:02:11Z")) || !p.AutomaticUpdates {
		t.Errorf("patches = %v", p)
	}
	f, err := parseWinUpdates(fixture(t, "windows/updates-search-failed.json"))
	if err == nil || !strings.Contains(err.Error(), "0x8024402C") {
		t.Errorf("search error = %v", err)
	}
	if f == nil || f.AutomaticUpdates || !f.LastInstallTime.AsTime().Equal(mustTime(t, "2024-06-12T00:00:00Z")) {
		t.Errorf("partial patches = %v", f)
	}
}

func TestManageBde(t *testing.T) {
	if e := parseManageBde(fixture(t, "windows/manage-bde-status.txt")); e == nil || !e.Enabled || e.Method != "bitlocker" || e.Status != "Fully Encrypted, protection on" {
		t.Errorf("on = %v", e)
	}
	if e := parseManageBde(fixture(t, "windows/manage-bde-off.txt")); e == nil || e.Enabled || e.Method != "none" {
		t.Errorf("off = %v", e)
	}
}

func TestWevtutil(t *testing.T) {
	g := newEventGroups()
	sys, err := parseWevtutil(bytes.NewReader(fixture(t, "windows/wevtutil-system.xml")), g)
	if err != nil {
		t.Fatal(err)
	}
	app, err := parseWevtutil(bytes.NewReader(fixture(t, "windows/wevtutil-application.xml")), g)
	if err != nil {
		t.Fatal(err)
	}
	groups := g.list(0)
	if len(groups) != 7 {
		t.Fatalf("%d groups: %v", len(groups), groups)
	}
	if groups[0].Source != "Microsoft-Windows-Kernel-Power" || groups[0].EventId != 41 || groups[0].Level != "critical" || groups[0].Log != "System" {
		t.Errorf("first group = %v", groups[0])
	}
	var disk *agentv1.EventLogGroup
	for _, gr := range groups {
		if gr.Source == "disk" {
			disk = gr
		}
	}
	if disk == nil || disk.Count != 2 || disk.EventId != 7 || disk.SampleMessage != `The device, \Device\Harddisk1\DR1, has a bad block.` {
		t.Errorf("disk = %v", disk)
	}
	for _, gr := range groups {
		if gr.Source == "Microsoft-Windows-Time-Service" && !strings.Contains(gr.SampleMessage, "DC01.corp.example.com") {
			t.Errorf("message from EventData when not rendered = %q", gr.SampleMessage)
		}
	}
	if len(sys) != 2 || sys[0].Application != "kernel" || !strings.Contains(sys[0].Detail, "Kernel-Power 41") || !strings.Contains(sys[1].Detail, "0x0000009f") {
		t.Errorf("system crashes = %v", sys)
	}
	if len(app) != 2 || app[0].Application != "OUTLOOK.EXE" || app[0].Detail != "faulting module mso20win32client.dll, exception 0xc0000005" || app[1].Application != "EXCEL.EXE" {
		t.Errorf("application crashes = %v", app)
	}
}

func TestAvState(t *testing.T) {
	cases := []struct {
		state     int64
		on, fresh bool
	}{
		{397568, true, true},  // 0x61100 Defender on, up to date
		{397584, true, false}, // 0x61110 on, out of date
		{393472, false, true}, // 0x60100 off
		{266240, true, true},  // 0x41000 third party on
	}
	for _, c := range cases {
		on, fresh := avState(c.state)
		if on != c.on || fresh != c.fresh {
			t.Errorf("avState(%#x) = %v %v", c.state, on, fresh)
		}
	}
}

func TestEmbeddedScripts(t *testing.T) {
	for name, s := range map[string]string{"inventory": inventoryScript, "updates": updatesScript} {
		if !strings.Contains(s, "ConvertTo-Json") || !strings.Contains(s, "UTF8Encoding") {
			t.Errorf("%s script is not embedded as expected", name)
		}
	}
	for _, section := range inventorySectionsAll {
		if !strings.Contains(inventoryScript, "Section '"+section+"'") {
			t.Errorf("inventory script has no %s section", section)
		}
	}
}

func TestWindowsStorageSpaces(t *testing.T) {
	inv, err := parseWinInventory(fixture(t, "windows/inventory-storage-spaces.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := inv.storage()
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ name, kind, level, state, detail string }
	wants := []want{
		{"Pool01", "storage-spaces-pool", "", "degraded", "Warning / Degraded"}, // a single object, not an array
		{"Data", "storage-spaces-virtual-disk", "mirror", "degraded", "Warning / Degraded, Incomplete"},
		{"Backup", "storage-spaces-virtual-disk", "parity", "rebuilding", "Warning / InService"},
		{"Scratch", "storage-spaces-virtual-disk", "simple", "healthy", "Healthy / OK"},
	}
	if len(st.Arrays) != len(wants) {
		t.Fatalf("arrays = %v", st.Arrays)
	}
	for i, w := range wants {
		a := st.Arrays[i]
		if a.Name != w.name || a.Kind != w.kind || a.Level != w.level || a.State != w.state || a.Detail != w.detail {
			t.Errorf("array %d = %v, want %+v", i, a, w)
		}
	}
	if (winSpace{HealthStatus: "Unhealthy", OperationalStatus: "Detached"}).array("x").State != "failed" {
		t.Error("a detached, unhealthy virtual disk is not failed")
	}
	// The workstation fixture has no Storage Spaces: no arrays.
	inv, _ = parseWinInventory(fixture(t, "windows/inventory-workstation.json"))
	if st, _ := inv.storage(); len(st.Arrays) != 0 {
		t.Errorf("workstation arrays = %v", st.Arrays)
	}
}
