package collector

// Parsers for macOS command output. They are portable so that the tests
// run on every OS.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// macProfile is the part of `system_profiler -json SPHardwareDataType
// SPSoftwareDataType SPStorageDataType SPPowerDataType SPDisplaysDataType`
// the agent reads.
type macProfile struct {
	Hardware []struct {
		MachineModel    string     `json:"machine_model"`
		MachineName     string     `json:"machine_name"`
		ModelNumber     string     `json:"model_number"`
		SerialNumber    string     `json:"serial_number"`
		ChipType        string     `json:"chip_type"`
		CPUType         string     `json:"cpu_type"`
		NumberProcessor flexString `json:"number_processors"`
		PackagesCount   flexInt    `json:"packages"`
		PhysicalMemory  string     `json:"physical_memory"`
		BootROMVersion  string     `json:"boot_rom_version"`
	} `json:"SPHardwareDataType"`
	Software []struct {
		OSVersion     string `json:"os_version"`
		KernelVersion string `json:"kernel_version"`
		LocalHostName string `json:"local_host_name"`
		UserName      string `json:"user_name"`
		BootVolume    string `json:"boot_volume"`
		Uptime        string `json:"uptime"`
	} `json:"SPSoftwareDataType"`
	Storage []struct {
		Name          string  `json:"_name"`
		BSDName       string  `json:"bsd_name"`
		FileSystem    string  `json:"file_system"`
		FreeSpace     flexInt `json:"free_space_in_bytes"`
		Size          flexInt `json:"size_in_bytes"`
		MountPoint    string  `json:"mount_point"`
		PhysicalDrive struct {
			DeviceName     string `json:"device_name"`
			MediumType     string `json:"medium_type"`
			IsInternalDisk string `json:"is_internal_disk"`
			Protocol       string `json:"protocol"`
			SmartStatus    string `json:"smart_status"`
		} `json:"physical_drive"`
	} `json:"SPStorageDataType"`
	Power []struct {
		Name       string `json:"_name"`
		ChargeInfo *struct {
			StateOfCharge flexInt `json:"sppower_battery_state_of_charge"`
		} `json:"sppower_battery_charge_info"`
		HealthInfo *struct {
			CycleCount      flexInt `json:"sppower_battery_cycle_count"`
			Health          string  `json:"sppower_battery_health"`
			MaximumCapacity string  `json:"sppower_battery_health_maximum_capacity"`
		} `json:"sppower_battery_health_info"`
	} `json:"SPPowerDataType"`
	Displays []struct {
		Name  string `json:"_name"`
		Model string `json:"sppci_model"`
	} `json:"SPDisplaysDataType"`
}

func parseMacProfile(b []byte) (*macProfile, error) {
	var p macProfile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("system_profiler: %w", err)
	}
	return &p, nil
}

// macOSVersion splits "macOS 14.5 (23F79)" into name, version and build.
var macOSVersionRe = regexp.MustCompile(`^(.*?)\s+([0-9][0-9.]*)\s*(?:\(([^)]+)\))?`)

func (p *macProfile) os() *agentv1.OperatingSystem {
	o := &agentv1.OperatingSystem{Platform: "macos", Name: "macOS"}
	if len(p.Software) == 0 {
		return o
	}
	s := p.Software[0]
	if m := macOSVersionRe.FindStringSubmatch(s.OSVersion); m != nil {
		o.Name, o.Version, o.Build = m[1], m[2], m[3]
	}
	if k := strings.TrimSpace(s.KernelVersion); k != "" {
		if o.Build != "" {
			o.Build += " / " + k
		} else {
			o.Build = k
		}
	}
	o.Hostname = s.LocalHostName
	return o
}

// memoryBytes parses "16 GB" or "8 MB".
func memoryBytes(s string) int64 {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0
	}
	n, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0
	}
	mult := map[string]float64{"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[strings.ToUpper(f[1])]
	return int64(n * mult)
}

func (p *macProfile) hardware() *agentv1.Hardware {
	hw := &agentv1.Hardware{Manufacturer: "Apple Inc."}
	if len(p.Hardware) > 0 {
		h := p.Hardware[0]
		hw.Model = strings.TrimSpace(h.MachineName + " (" + h.MachineModel + ")")
		if h.MachineName == "" {
			hw.Model = h.MachineModel
		}
		hw.SerialNumber = h.SerialNumber
		hw.BiosVendor = "Apple Inc."
		hw.BiosVersion = h.BootROMVersion
		hw.CpuModel = firstNonEmpty(h.ChipType, h.CPUType)
		hw.MemoryBytes = memoryBytes(h.PhysicalMemory)
		// "proc 10:8:2" on Apple silicon (total:performance:efficiency).
		if np := string(h.NumberProcessor); strings.HasPrefix(np, "proc ") {
			total, _, _ := strings.Cut(strings.TrimPrefix(np, "proc "), ":")
			hw.CpuCores = atoi32(total)
			hw.CpuThreads = hw.CpuCores
		} else {
			hw.CpuCores = atoi32(np)
		}
		hw.Virtual = strings.Contains(h.MachineModel, "VirtualMac") || looksVirtual(h.MachineModel, h.MachineName)
	}
	for _, d := range p.Displays {
		hw.Gpus = append(hw.Gpus, &agentv1.Gpu{Name: firstNonEmpty(d.Model, d.Name)})
	}
	for _, pw := range p.Power {
		if pw.HealthInfo == nil {
			continue
		}
		bat := &agentv1.Battery{CycleCount: int32(pw.HealthInfo.CycleCount), Condition: pw.HealthInfo.Health}
		if pw.ChargeInfo != nil {
			bat.ChargePercent = float64(pw.ChargeInfo.StateOfCharge)
		}
		hw.Battery = bat
	}
	return hw
}

func (p *macProfile) storage() *agentv1.Storage {
	st := &agentv1.Storage{}
	seen := map[string]bool{}
	for _, v := range p.Storage {
		if v.MountPoint == "" || v.Size == 0 {
			continue
		}
		st.Volumes = append(st.Volumes, &agentv1.Volume{
			MountPoint: v.MountPoint,
			Label:      v.Name,
			FileSystem: v.FileSystem,
			SizeBytes:  int64(v.Size),
			FreeBytes:  int64(v.FreeSpace),
			System:     v.MountPoint == "/",
		})
		pd := v.PhysicalDrive
		if pd.DeviceName == "" || seen[pd.DeviceName] {
			continue
		}
		seen[pd.DeviceName] = true
		d := &agentv1.PhysicalDisk{Name: pd.DeviceName, Model: pd.DeviceName, MediaType: strings.ToLower(firstNonEmpty(pd.MediumType, "unknown"))}
		if strings.Contains(strings.ToLower(pd.Protocol), "pci") || strings.Contains(pd.Protocol, "Apple Fabric") {
			d.MediaType = "nvme"
		}
		switch strings.ToLower(pd.SmartStatus) {
		case "verified":
			d.Health = "healthy"
		case "failing":
			d.Health, d.SmartFailurePredicted = "failing", true
		default:
			d.Health = "unknown"
		}
		st.Disks = append(st.Disks, d)
	}
	return st
}

// parseIoregBattery reads `ioreg -rn AppleSmartBattery` for capacities in
// mWh (mAh × design voltage).
func parseIoregBattery(b []byte, bat *agentv1.Battery) {
	kv := map[string]int64{}
	for _, l := range lines(b) {
		k, v, ok := strings.Cut(l, " = ")
		if !ok {
			continue
		}
		k = strings.Trim(strings.TrimSpace(strings.TrimPrefix(k, "|")), `"`)
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			if _, dup := kv[k]; !dup {
				kv[k] = n
			}
		}
	}
	mv := kv["DesignVoltage"]
	if mv == 0 {
		mv = kv["Voltage"]
	}
	design := kv["DesignCapacity"]
	full := kv["AppleRawMaxCapacity"]
	if full == 0 && kv["MaxCapacity"] > 100 { // Intel Macs report mAh here; Apple silicon a percentage
		full = kv["MaxCapacity"]
	}
	if design > 0 && mv > 0 {
		bat.DesignCapacityMwh = design * mv / 1000
		bat.FullChargeCapacityMwh = full * mv / 1000
	}
	if bat.CycleCount == 0 {
		bat.CycleCount = int32(kv["CycleCount"])
	}
}

// parseRouteGet reads `route -n get default`.
func parseRouteGet(b []byte) []string {
	if gw := keyValues(b, ":")["gateway"]; gw != "" {
		return []string{gw}
	}
	return nil
}

// parseScutilDNS reads `scutil --dns`: "nameserver[0] : 192.168.1.1".
func parseScutilDNS(b []byte) []string {
	var out []string
	for _, l := range lines(b) {
		if !strings.HasPrefix(l, "nameserver[") {
			continue
		}
		if _, v, ok := strings.Cut(l, ":"); ok {
			if v = strings.TrimSpace(v); v != "" && !containsStr(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// parseHardwarePorts reads `networksetup -listallhardwareports` into
// device → port name ("en0" → "Wi-Fi").
func parseHardwarePorts(b []byte) map[string]string {
	out := map[string]string{}
	port := ""
	for _, l := range lines(b) {
		if v, ok := strings.CutPrefix(l, "Hardware Port:"); ok {
			port = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(l, "Device:"); ok && port != "" {
			out[strings.TrimSpace(v)] = port
		}
	}
	return out
}

// parseMacApplications reads `system_profiler -json SPApplicationsDataType`,
// leaving out the OS's own apps under /System.
func parseMacApplications(b []byte) ([]*agentv1.InstalledSoftware, error) {
	var doc struct {
		Apps []struct {
			Name         string   `json:"_name"`
			Version      string   `json:"version"`
			ObtainedFrom string   `json:"obtained_from"`
			LastModified string   `json:"lastModified"`
			Path         string   `json:"path"`
			SignedBy     []string `json:"signed_by"`
		} `json:"SPApplicationsDataType"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("system_profiler SPApplicationsDataType: %w", err)
	}
	var out []*agentv1.InstalledSoftware
	for _, a := range doc.Apps {
		if strings.HasPrefix(a.Path, "/System/") || strings.HasPrefix(a.Path, "/Library/Apple/") {
			continue
		}
		sw := &agentv1.InstalledSoftware{Name: a.Name, Version: a.Version, Source: "app"}
		switch {
		case a.ObtainedFrom == "apple":
			sw.Publisher = "Apple Inc."
		case len(a.SignedBy) > 0 && strings.HasPrefix(a.SignedBy[0], "Developer ID Application:"):
			sw.Publisher = signerName(a.SignedBy[0])
		}
		if a.ObtainedFrom == "mac_app_store" {
			sw.Source = "app-store"
		}
		if t, err := time.Parse(time.RFC3339, a.LastModified); err == nil {
			sw.InstallDate = t.UTC().Format("2006-01-02")
		}
		out = append(out, sw)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// signerName turns "Developer ID Application: Google LLC (EQHXZ8M8AV)"
// into "Google LLC".
func signerName(s string) string {
	if _, v, ok := strings.Cut(s, ": "); ok {
		s = v
	}
	if i := strings.LastIndex(s, " ("); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// parseLaunchctlList reads `launchctl list` (PID, last exit status,
// label). Apple's own jobs are kept only when they failed.
func parseLaunchctlList(b []byte) []*agentv1.Service {
	var out []*agentv1.Service
	for i, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) != 3 || (i == 0 && f[0] == "PID") {
			continue
		}
		pid, status, label := f[0], f[1], f[2]
		state := "stopped"
		switch {
		case pid != "-":
			state = "running"
		case status != "0" && status != "-":
			state = "failed"
		}
		if strings.HasPrefix(label, "com.apple.") && state != "failed" {
			continue
		}
		if strings.HasPrefix(label, "application.") { // per-app helper jobs
			continue
		}
		out = append(out, &agentv1.Service{Name: label, State: state, StartMode: "launchd"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// parseSoftwareUpdateList reads `softwareupdate -l`.
func parseSoftwareUpdateList(b []byte) []*agentv1.MissingUpdate {
	var out []*agentv1.MissingUpdate
	var cur *agentv1.MissingUpdate
	for _, l := range lines(b) {
		if v, ok := strings.CutPrefix(l, "* Label:"); ok {
			cur = &agentv1.MissingUpdate{Id: strings.TrimSpace(v), Title: strings.TrimSpace(v), Classification: "optional"}
			out = append(out, cur)
			continue
		}
		if cur == nil || !strings.HasPrefix(l, "Title:") {
			continue
		}
		fields := map[string]string{}
		for _, part := range strings.Split(l, ", ") {
			if k, v, ok := strings.Cut(part, ": "); ok {
				fields[strings.TrimSpace(k)] = strings.TrimSuffix(strings.TrimSpace(v), ",")
			}
		}
		if t := fields["Title"]; t != "" {
			cur.Title = t
			if v := fields["Version"]; v != "" && !strings.Contains(t, v) {
				cur.Title += " " + v
			}
		}
		if strings.EqualFold(fields["Recommended"], "YES") {
			cur.Classification = "important"
		}
		if strings.Contains(strings.ToLower(cur.Title), "security") {
			cur.Classification = "security"
		}
	}
	return out
}

// parseDefaultsPlist reads the old-style plist `defaults read` prints
// (key = value; lines) into strings.
func parseDefaultsPlist(b []byte) map[string]string {
	out := map[string]string{}
	for _, l := range lines(b) {
		k, v, ok := strings.Cut(l, " = ")
		if !ok {
			continue
		}
		out[strings.Trim(strings.TrimSpace(k), `"`)] = strings.Trim(strings.TrimSuffix(strings.TrimSpace(v), ";"), `"`)
	}
	return out
}

// macUpdatePrefs reads `defaults read /Library/Preferences/com.apple.SoftwareUpdate`.
func macUpdatePrefs(b []byte) (lastCheck time.Time, automatic bool) {
	kv := parseDefaultsPlist(b)
	for _, k := range []string{"LastSuccessfulDate", "LastFullSuccessfulDate"} {
		if t, err := time.Parse("2006-01-02 15:04:05 -0700", kv[k]); err == nil && t.After(lastCheck) {
			lastCheck = t
		}
	}
	automatic = kv["AutomaticallyInstallMacOSUpdates"] == "1" ||
		(kv["AutomaticCheckEnabled"] != "0" && kv["CriticalUpdateInstall"] == "1")
	return lastCheck, automatic
}

// parseSocketFilterFW reads `socketfilterfw --getglobalstate`.
func parseSocketFilterFW(b []byte) (enabled, ok bool) {
	s := strings.ToLower(string(b))
	switch {
	case strings.Contains(s, "state = 1"), strings.Contains(s, "state = 2"), strings.Contains(s, "firewall is enabled"), strings.Contains(s, "blocking all"):
		return true, true
	case strings.Contains(s, "state = 0"), strings.Contains(s, "firewall is disabled"):
		return false, true
	}
	return false, false
}

// parseFdesetupStatus reads `fdesetup status`.
func parseFdesetupStatus(b []byte) *agentv1.DiskEncryption {
	s := strings.TrimSpace(string(b))
	first, _, _ := strings.Cut(s, "\n")
	enc := &agentv1.DiskEncryption{Method: "filevault", Status: strings.TrimSuffix(first, ".")}
	switch {
	case strings.Contains(s, "Encryption in progress"):
		enc.Enabled, enc.Status = false, "encryption in progress"
	case strings.Contains(s, "FileVault is On"):
		enc.Enabled = true
	case strings.Contains(s, "FileVault is Off"):
		enc.Method = "none"
	}
	return enc
}

// parseDsclMembers reads `dscl . -read /Groups/admin GroupMembership`.
func parseDsclMembers(b []byte) []string {
	s := strings.TrimSpace(string(b))
	_, v, ok := strings.Cut(s, "GroupMembership:")
	if !ok {
		return nil
	}
	return strings.Fields(v)
}

// macLogEntry is one line of `log show --style ndjson`.
type macLogEntry struct {
	Timestamp        string `json:"timestamp"`
	MessageType      string `json:"messageType"`
	EventMessage     string `json:"eventMessage"`
	ProcessImagePath string `json:"processImagePath"`
	Subsystem        string `json:"subsystem"`
}

// parseMacLog reads `log show --style ndjson` as a stream, at most
// maxLines entries, grouped by process and level.
func parseMacLog(r io.Reader, maxLines int) ([]*agentv1.EventLogGroup, error) {
	g := newEventGroups()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	n := 0
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e macLogEntry
		if json.Unmarshal(line, &e) != nil || e.MessageType == "" {
			continue
		}
		var level string
		switch e.MessageType {
		case "Fault":
			level = "critical"
		case "Error":
			level = "error"
		default:
			continue
		}
		t, err := time.Parse("2006-01-02 15:04:05.000000-0700", e.Timestamp)
		if err != nil {
			continue
		}
		src := path.Base(e.ProcessImagePath)
		if src == "." || src == "/" {
			src = firstNonEmpty(e.Subsystem, "unknown")
		}
		g.add("unified", src, 0, level, t.UTC(), e.EventMessage)
		if n++; maxLines > 0 && n >= maxLines {
			break
		}
	}
	return g.list(maxEventGroups), sc.Err()
}

// macCrashHeader is the first line of a .ips diagnostic report.
type macCrashHeader struct {
	AppName   string `json:"app_name"`
	Name      string `json:"name"`
	Timestamp string `json:"timestamp"`
	BugType   string `json:"bug_type"`
	AppVer    string `json:"app_version"`
}

// parseMacCrashReport reads a DiagnosticReports .ips file (a JSON header
// line, then a JSON body). Crashes (bug type 309) and kernel panics (210)
// count; hangs, resource reports and the like do not.
func parseMacCrashReport(b []byte) *agentv1.Crash {
	head, body, _ := strings.Cut(string(b), "\n")
	var h macCrashHeader
	if json.Unmarshal([]byte(head), &h) != nil {
		return parseMacLegacyCrash(b)
	}
	c := &agentv1.Crash{}
	switch h.BugType {
	case "309":
		c.Application = firstNonEmpty(h.AppName, h.Name)
	case "210":
		c.Application = "kernel"
	default:
		return nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.00 -0700", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, h.Timestamp); err == nil {
			c.Time = ts(t)
			break
		}
	}
	var doc struct {
		Exception struct {
			Type    string `json:"type"`
			Signal  string `json:"signal"`
			Subtype string `json:"subtype"`
		} `json:"exception"`
		PanicString string `json:"panicString"`
	}
	if json.Unmarshal([]byte(body), &doc) == nil {
		var d []string
		for _, s := range []string{doc.Exception.Type, doc.Exception.Signal, doc.Exception.Subtype} {
			if s != "" {
				d = append(d, s)
			}
		}
		if doc.PanicString != "" {
			first, _, _ := strings.Cut(doc.PanicString, "\n")
			d = append(d, first)
		}
		c.Detail = truncate(cleanText(strings.Join(d, " ")), 500)
	}
	return c
}

// parseMacLegacyCrash reads the text .crash format of macOS 11 and older.
func parseMacLegacyCrash(b []byte) *agentv1.Crash {
	kv := keyValues(b, ":")
	proc := kv["Process"]
	if proc == "" {
		return nil
	}
	if i := strings.Index(proc, " ["); i > 0 {
		proc = proc[:i]
	}
	c := &agentv1.Crash{Application: proc, Detail: truncate(cleanText(kv["Exception Type"]), 500)}
	if dt := kv["Date/Time"]; dt != "" {
		if t, err := time.Parse("2006-01-02 15:04:05.000 -0700", dt); err == nil {
			c.Time = ts(t)
		}
	}
	return c
}

// bundleVersionKey finds CFBundleShortVersionString in an XML Info.plist.
var bundleVersionKey = regexp.MustCompile(`<key>CFBundleShortVersionString</key>\s*<string>([^<]*)</string>`)

// parseBundleVersion returns an application bundle's version from its XML
// Info.plist ("" when absent).
func parseBundleVersion(b []byte) string {
	if m := bundleVersionKey.FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return ""
}

// xprotectBundles are where XProtect's definitions live: macOS 15 and later
// update the copy under /var/protected (delivered in the background, not
// with macOS updates); older releases the one under /Library/Apple.
var xprotectBundles = []string{
	"/var/protected/xprotect/XProtect.bundle",
	"/Library/Apple/System/Library/CoreServices/XProtect.bundle",
	"/System/Library/CoreServices/XProtect.bundle",
}

// xprotect reports the newest XProtect definitions found below env.Root:
// their version and when they were installed (the Info.plist's
// modification time). XProtect has no up-to-date flag of its own, so
// UpToDateReported stays false and the server judges the age.
func xprotect(env *Env) *agentv1.Antivirus {
	var best *agentv1.Antivirus
	bestVersion := -1
	for _, p := range xprotectBundles {
		plist := p + "/Contents/Info.plist"
		info, err := os.Stat(env.path(plist))
		if err != nil {
			continue
		}
		b, _ := env.readFile(plist)
		v := parseBundleVersion(b)
		n, _ := strconv.Atoi(v)
		if n > bestVersion {
			best = &agentv1.Antivirus{Name: "XProtect", Enabled: true, SignatureTime: ts(info.ModTime()), SignatureVersion: v}
			bestVersion = n
		}
	}
	return best
}
