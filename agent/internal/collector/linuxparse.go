package collector

// Parsers for Linux command output and files. They are portable so that
// the tests run on every OS.

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// parseOSRelease reads /etc/os-release.
func parseOSRelease(b []byte) (name, version, pretty string) {
	kv := keyValues(b, "=")
	return kv["NAME"], firstNonEmpty(kv["VERSION_ID"], kv["BUILD_ID"]), kv["PRETTY_NAME"]
}

// cpuInfo is what /proc/cpuinfo tells.
type cpuInfo struct {
	model      string
	cores      int32
	threads    int32
	hypervisor bool
}

// parseCPUInfo reads /proc/cpuinfo. Physical cores are the distinct
// (physical id, core id) pairs; when those are missing (ARM, some VMs),
// "cpu cores" or the thread count stands in.
func parseCPUInfo(b []byte) cpuInfo {
	var ci cpuInfo
	cores := map[string]bool{}
	var phys, cpuCores string
	coresPerSocket := map[string]int32{}
	for _, block := range strings.Split(string(b), "\n\n") {
		kv := keyValues([]byte(block), ":")
		if _, ok := kv["processor"]; !ok {
			continue
		}
		ci.threads++
		if ci.model == "" {
			ci.model = firstNonEmpty(kv["model name"], kv["Model"], kv["cpu model"], kv["Hardware"])
		}
		if strings.Contains(" "+kv["flags"]+" ", " hypervisor ") {
			ci.hypervisor = true
		}
		phys, cpuCores = kv["physical id"], kv["cpu cores"]
		if kv["core id"] != "" {
			cores[phys+"/"+kv["core id"]] = true
		}
		if cpuCores != "" {
			coresPerSocket[phys] = atoi32(cpuCores)
		}
	}
	switch {
	case len(cores) > 0:
		ci.cores = int32(len(cores))
	case len(coresPerSocket) > 0:
		for _, n := range coresPerSocket {
			ci.cores += n
		}
	default:
		ci.cores = ci.threads
	}
	return ci
}

// parseMemInfo reads /proc/meminfo into bytes.
func parseMemInfo(b []byte) map[string]int64 {
	out := map[string]int64{}
	for k, v := range keyValues(b, ":") {
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n := atoi64(f[0])
		if len(f) > 1 && f[1] == "kB" {
			n *= 1024
		}
		out[k] = n
	}
	return out
}

// dmiDate turns the DMI "MM/DD/YYYY" into "YYYY-MM-DD".
func dmiDate(s string) string {
	if t, err := time.Parse("01/02/2006", strings.TrimSpace(s)); err == nil {
		return t.Format("2006-01-02")
	}
	return strings.TrimSpace(s)
}

// virtualVendors are DMI strings that only virtual machines report.
var virtualVendors = []string{"qemu", "kvm", "vmware", "virtualbox", "innotek", "xen", "bochs", "parallels", "virtual machine", "hvm domu", "amazon ec2", "google compute engine", "openstack", "cloud hypervisor", "firecracker"}

func looksVirtual(ss ...string) bool {
	for _, s := range ss {
		s = strings.ToLower(s)
		for _, v := range virtualVendors {
			if strings.Contains(s, v) {
				return true
			}
		}
	}
	return false
}

// parseLspci reads `lspci -vmmk` and returns the display adapters with the
// kernel driver each uses.
func parseLspci(b []byte) []lspciDevice {
	var out []lspciDevice
	for _, block := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
		kv := keyValues([]byte(block), ":")
		class := strings.ToLower(kv["Class"])
		if !strings.Contains(class, "vga") && !strings.Contains(class, "3d") && !strings.Contains(class, "display") {
			continue
		}
		name := strings.TrimSpace(kv["Vendor"] + " " + kv["Device"])
		out = append(out, lspciDevice{name: name, driver: kv["Driver"]})
	}
	return out
}

type lspciDevice struct{ name, driver string }

// parseBatteryUevent reads /sys/class/power_supply/BAT*/uevent. Energy is
// in µWh; charge in µAh, converted with the design voltage in µV.
func parseBatteryUevent(b []byte) *agentv1.Battery {
	kv := keyValues(b, "=")
	if kv["POWER_SUPPLY_TYPE"] != "" && kv["POWER_SUPPLY_TYPE"] != "Battery" {
		return nil
	}
	bat := &agentv1.Battery{
		CycleCount:    atoi32(kv["POWER_SUPPLY_CYCLE_COUNT"]),
		ChargePercent: float64(atoi64(kv["POWER_SUPPLY_CAPACITY"])),
		Condition:     kv["POWER_SUPPLY_HEALTH"],
	}
	if v := atoi64(kv["POWER_SUPPLY_ENERGY_FULL_DESIGN"]); v > 0 {
		bat.DesignCapacityMwh = v / 1000
		bat.FullChargeCapacityMwh = atoi64(kv["POWER_SUPPLY_ENERGY_FULL"]) / 1000
	} else if v := atoi64(kv["POWER_SUPPLY_CHARGE_FULL_DESIGN"]); v > 0 {
		volt := atoi64(kv["POWER_SUPPLY_VOLTAGE_MIN_DESIGN"])
		bat.DesignCapacityMwh = v * volt / 1_000_000_000
		bat.FullChargeCapacityMwh = atoi64(kv["POWER_SUPPLY_CHARGE_FULL"]) * volt / 1_000_000_000
	}
	return bat
}

// lsblkDevice is one node of `lsblk -J -b -o NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,MOUNTPOINTS,FSTYPE,LABEL`.
type lsblkDevice struct {
	Name        string        `json:"name"`
	Type        string        `json:"type"`
	Size        flexInt       `json:"size"`
	Model       flexString    `json:"model"`
	Serial      flexString    `json:"serial"`
	Rota        flexBool      `json:"rota"`
	Tran        flexString    `json:"tran"`
	Mountpoint  flexString    `json:"mountpoint"`
	Mountpoints []*string     `json:"mountpoints"`
	FSType      flexString    `json:"fstype"`
	Label       flexString    `json:"label"`
	Children    []lsblkDevice `json:"children"`
}

func (d lsblkDevice) mounts() []string {
	var out []string
	if d.Mountpoint != "" {
		out = append(out, string(d.Mountpoint))
	}
	for _, m := range d.Mountpoints {
		if m != nil && *m != "" && !containsStr(out, *m) {
			out = append(out, *m)
		}
	}
	return out
}

// lsblkInfo is what the block device tree tells.
type lsblkInfo struct {
	disks []*agentv1.PhysicalDisk
	// encrypted holds mount points that sit on a dm-crypt (LUKS) device.
	encrypted map[string]bool
	// labels maps mount points to file-system labels.
	labels map[string]string
}

// parseLsblk reads the JSON of lsblk (util-linux 2.33 and later; older
// versions quote numbers and have "mountpoint" instead of "mountpoints").
func parseLsblk(b []byte) (lsblkInfo, error) {
	var doc struct {
		Blockdevices []lsblkDevice `json:"blockdevices"`
	}
	info := lsblkInfo{encrypted: map[string]bool{}, labels: map[string]string{}}
	if err := json.Unmarshal(b, &doc); err != nil {
		return info, fmt.Errorf("lsblk: %w", err)
	}
	var walk func(d lsblkDevice, crypt bool)
	walk = func(d lsblkDevice, crypt bool) {
		crypt = crypt || d.Type == "crypt"
		for _, m := range d.mounts() {
			if crypt {
				info.encrypted[m] = true
			}
			if d.Label != "" {
				info.labels[m] = string(d.Label)
			}
		}
		for _, c := range d.Children {
			walk(c, crypt)
		}
	}
	for _, d := range doc.Blockdevices {
		walk(d, false)
		if d.Type != "disk" || d.Size == 0 || strings.HasPrefix(d.Name, "zram") || strings.HasPrefix(d.Name, "loop") {
			continue
		}
		media := "ssd"
		switch {
		case d.Tran == "nvme" || strings.HasPrefix(d.Name, "nvme"):
			media = "nvme"
		case bool(d.Rota):
			media = "hdd"
		}
		if strings.HasPrefix(d.Name, "vd") || strings.HasPrefix(d.Name, "xvd") {
			media = "unknown" // virtual disks report rotational at random
		}
		info.disks = append(info.disks, &agentv1.PhysicalDisk{
			Name:         "/dev/" + d.Name,
			Model:        strings.TrimSpace(string(d.Model)),
			SerialNumber: strings.TrimSpace(string(d.Serial)),
			SizeBytes:    int64(d.Size),
			MediaType:    media,
			Health:       "unknown",
		})
	}
	return info, nil
}

// smartctlReport is the part of `smartctl -j -H -A` the agent reads.
type smartctlReport struct {
	Smartctl struct {
		ExitStatus int `json:"exit_status"`
		Messages   []struct {
			String   string `json:"string"`
			Severity string `json:"severity"`
		} `json:"messages"`
	} `json:"smartctl"`
	Device struct {
		Name     string `json:"name"`
		Protocol string `json:"protocol"`
	} `json:"device"`
	SmartStatus *struct {
		Passed bool `json:"passed"`
	} `json:"smart_status"`
	Temperature struct {
		Current int32 `json:"current"`
	} `json:"temperature"`
	PowerOnTime struct {
		Hours int64 `json:"hours"`
	} `json:"power_on_time"`
	ATA struct {
		Table []struct {
			ID    int    `json:"id"`
			Name  string `json:"name"`
			Value int64  `json:"value"`
			Raw   struct {
				Value int64 `json:"value"`
			} `json:"raw"`
		} `json:"table"`
	} `json:"ata_smart_attributes"`
	NVMe *struct {
		CriticalWarning int   `json:"critical_warning"`
		Temperature     int32 `json:"temperature"`
		PercentageUsed  int32 `json:"percentage_used"`
		PowerOnHours    int64 `json:"power_on_hours"`
		MediaErrors     int64 `json:"media_errors"`
	} `json:"nvme_smart_health_information_log"`
}

// applySmartctl fills a disk's health from `smartctl -j -H -A` output.
// smartctl's exit status is a bit mask and often non-zero with good data,
// so only the JSON counts.
func applySmartctl(d *agentv1.PhysicalDisk, b []byte) error {
	var r smartctlReport
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("smartctl %s: %w", d.GetName(), err)
	}
	if r.SmartStatus == nil && r.NVMe == nil && len(r.ATA.Table) == 0 {
		msg := "no SMART data"
		if len(r.Smartctl.Messages) > 0 {
			msg = r.Smartctl.Messages[0].String
		}
		return fmt.Errorf("smartctl %s: %s", d.GetName(), msg)
	}
	d.TemperatureCelsius = r.Temperature.Current
	d.PowerOnHours = r.PowerOnTime.Hours
	for _, a := range r.ATA.Table {
		switch a.ID {
		case 5:
			d.ReallocatedSectors = a.Raw.Value
		case 197:
			d.PendingSectors = a.Raw.Value
		case 9:
			if d.PowerOnHours == 0 {
				d.PowerOnHours = a.Raw.Value & 0xffffffff
			}
		case 194, 190:
			if d.TemperatureCelsius == 0 {
				d.TemperatureCelsius = int32(a.Raw.Value & 0xff)
			}
		case 177, 231, 233: // Wear_Leveling_Count, SSD_Life_Left, Media_Wearout_Indicator: normalised 100 → 0
			if d.WearPercent == 0 && a.Value > 0 && a.Value <= 100 {
				d.WearPercent = int32(100 - a.Value)
			}
		}
	}
	if n := r.NVMe; n != nil {
		d.WearPercent = n.PercentageUsed
		if d.PowerOnHours == 0 {
			d.PowerOnHours = n.PowerOnHours
		}
		if d.TemperatureCelsius == 0 {
			d.TemperatureCelsius = n.Temperature
		}
		d.PendingSectors += n.MediaErrors
		if n.CriticalWarning != 0 {
			d.SmartFailurePredicted = true
		}
	}
	if r.SmartStatus != nil && !r.SmartStatus.Passed {
		d.SmartFailurePredicted = true
	}
	d.Health = diskHealth(d)
	return nil
}

// diskHealth summarises SMART values.
func diskHealth(d *agentv1.PhysicalDisk) string {
	switch {
	case d.GetSmartFailurePredicted():
		return "failing"
	case d.GetReallocatedSectors() > 0 || d.GetPendingSectors() > 0 || d.GetWearPercent() >= 90:
		return "warning"
	}
	return "healthy"
}

// parseProcNetRoute returns the IPv4 default gateways from /proc/net/route.
func parseProcNetRoute(b []byte) []string {
	var out []string
	for i, l := range lines(b) {
		f := strings.Fields(l)
		if i == 0 || len(f) < 8 || f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		raw, err := hex.DecodeString(f[2])
		if err != nil || len(raw) != 4 {
			continue
		}
		ip := net.IPv4(raw[3], raw[2], raw[1], raw[0]).String() // little-endian
		if ip != "0.0.0.0" && !containsStr(out, ip) {
			out = append(out, ip)
		}
	}
	return out
}

// parseResolvConf returns the name servers of /etc/resolv.conf.
func parseResolvConf(b []byte) []string {
	var out []string
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "nameserver" && !containsStr(out, f[1]) {
			out = append(out, f[1])
		}
	}
	return out
}

// parseDpkgQuery reads
// dpkg-query -W -f='${Package}\t${Version}\t${Maintainer}\t${db-fsys:Last-Modified}\t${Status}\n'.
func parseDpkgQuery(b []byte) []*agentv1.InstalledSoftware {
	var out []*agentv1.InstalledSoftware
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, "\t")
		if len(f) < 2 || f[0] == "" {
			continue
		}
		if len(f) >= 5 && !strings.HasSuffix(f[4], " installed") {
			continue // removed, config-files, half-installed …
		}
		sw := &agentv1.InstalledSoftware{Name: f[0], Version: f[1], Source: "dpkg"}
		if len(f) >= 3 {
			sw.Publisher = maintainerName(f[2])
		}
		if len(f) >= 4 {
			if sec := atoi64(f[3]); sec > 0 {
				sw.InstallDate = time.Unix(sec, 0).UTC().Format("2006-01-02")
			}
		}
		out = append(out, sw)
	}
	return out
}

// maintainerName drops the e-mail address from "Name <mail>".
func maintainerName(s string) string {
	if i := strings.Index(s, "<"); i > 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// parseRpmQA reads rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\t%{INSTALLTIME}\n'.
func parseRpmQA(b []byte) []*agentv1.InstalledSoftware {
	var out []*agentv1.InstalledSoftware
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimRight(l, "\r"), "\t")
		if len(f) < 2 || f[0] == "" || f[0] == "gpg-pubkey" {
			continue
		}
		sw := &agentv1.InstalledSoftware{Name: f[0], Version: f[1], Source: "rpm"}
		if len(f) >= 3 && f[2] != "(none)" {
			sw.Publisher = f[2]
		}
		if len(f) >= 4 {
			if sec := atoi64(f[3]); sec > 0 {
				sw.InstallDate = time.Unix(sec, 0).UTC().Format("2006-01-02")
			}
		}
		out = append(out, sw)
	}
	return out
}

// parseSystemctlUnits reads `systemctl list-units --type=service --all
// --no-legend --plain` (a leading "●" marks failed units without --plain).
func parseSystemctlUnits(b []byte) []*agentv1.Service {
	var out []*agentv1.Service
	for _, l := range lines(b) {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(l, "●"), "*"))
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasSuffix(f[0], ".service") {
			continue
		}
		load, active, sub := f[1], f[2], f[3]
		if load == "not-found" {
			continue // referenced but not installed
		}
		state := sub
		switch {
		case active == "failed" || sub == "failed":
			state = "failed"
		case sub == "running":
			state = "running"
		case active == "inactive" || sub == "dead":
			state = "stopped"
		}
		out = append(out, &agentv1.Service{
			Name:        strings.TrimSuffix(f[0], ".service"),
			DisplayName: strings.Join(f[4:], " "),
			State:       state,
		})
	}
	return out
}

// parseSystemctlUnitFiles reads `systemctl list-unit-files --type=service
// --no-legend` into unit → state (enabled, disabled, static, masked…).
func parseSystemctlUnitFiles(b []byte) map[string]string {
	out := map[string]string{}
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) >= 2 && strings.HasSuffix(f[0], ".service") {
			out[strings.TrimSuffix(f[0], ".service")] = f[1]
		}
	}
	return out
}

// aptInst matches a line of `apt-get -s upgrade`:
// Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
var aptInst = regexp.MustCompile(`^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) ([^\[]*?)(?: \[[^\]]*\])?\)`)

// parseAptSimulate reads `apt-get -s upgrade`. Updates from a security
// archive are "security", the rest "update".
func parseAptSimulate(b []byte) []*agentv1.MissingUpdate {
	var out []*agentv1.MissingUpdate
	for _, l := range lines(b) {
		m := aptInst.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		class := "update"
		if strings.Contains(strings.ToLower(m[4]), "security") {
			class = "security"
		}
		out = append(out, &agentv1.MissingUpdate{Title: m[1], Classification: class, Id: m[3]})
	}
	return out
}

// parseAptList reads `apt list --upgradable`:
// openssl/stable-security 3.0.15-1~deb12u1 amd64 [upgradable from: 3.0.14-1~deb12u2]
func parseAptList(b []byte) []*agentv1.MissingUpdate {
	var out []*agentv1.MissingUpdate
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) < 2 || !strings.Contains(f[0], "/") || !strings.Contains(l, "upgradable") {
			continue
		}
		name, suites, _ := strings.Cut(f[0], "/")
		class := "update"
		if strings.Contains(suites, "security") {
			class = "security"
		}
		out = append(out, &agentv1.MissingUpdate{Title: name, Classification: class, Id: f[1]})
	}
	return out
}

// parseAptHistory returns the end of the last run in /var/log/apt/history.log
// that upgraded packages.
func parseAptHistory(b []byte) time.Time {
	var last time.Time
	upgraded := false
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "Start-Date:"):
			upgraded = false
		case strings.HasPrefix(l, "Upgrade:"):
			upgraded = true
		case strings.HasPrefix(l, "End-Date:") && upgraded:
			v := strings.Join(strings.Fields(strings.TrimPrefix(l, "End-Date:")), " ")
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", v, time.Local); err == nil && t.After(last) {
				last = t
			}
		}
	}
	return last
}

// aptUnattended reports whether an apt configuration turns on
// unattended upgrades: APT::Periodic::Unattended-Upgrade "1";
func aptUnattended(b []byte) bool {
	on := false
	for _, l := range lines(b) {
		if strings.HasPrefix(l, "//") {
			continue
		}
		if strings.Contains(l, "APT::Periodic::Unattended-Upgrade") {
			v := strings.Trim(strings.TrimSpace(l[strings.Index(l, "Unattended-Upgrade")+len("Unattended-Upgrade"):]), `";`)
			v = strings.Trim(strings.TrimSpace(v), `"`)
			on = v != "" && v != "0" && v != "false"
		}
	}
	return on
}

// parseDnfCheckUpdate reads `dnf -q check-update` (exit status 100 when
// updates exist): "name.arch  version  repo" lines, folded when long.
func parseDnfCheckUpdate(b []byte, security map[string]string) []*agentv1.MissingUpdate {
	var out []*agentv1.MissingUpdate
	var carry []string
	for _, l := range lines(b) {
		if strings.HasPrefix(l, "Obsoleting Packages") {
			break
		}
		if strings.HasPrefix(l, "Last metadata expiration") || strings.HasPrefix(l, "Security:") {
			continue
		}
		f := append(carry, strings.Fields(l)...)
		if len(f) < 3 {
			carry = f
			continue
		}
		carry = nil
		name := f[0]
		if i := strings.LastIndex(name, "."); i > 0 {
			name = name[:i]
		}
		class := "update"
		if c, ok := security[name]; ok {
			class = c
		}
		out = append(out, &agentv1.MissingUpdate{Title: name, Classification: class, Id: f[1]})
	}
	return out
}

// parseDnfUpdateinfo reads `dnf -q updateinfo list --updates`:
// "FEDORA-2024-1a2b3c4d5e security  openssl-1:3.1.4-3.fc40.x86_64" or with
// a severity "RHSA-2024:1234 Important/Sec. openssl-…". It maps package
// names to "security" (or "critical" for Critical/Sec.).
func parseDnfUpdateinfo(b []byte) map[string]string {
	out := map[string]string{}
	for _, l := range lines(b) {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		typ := strings.ToLower(f[1])
		if !strings.Contains(typ, "sec") {
			continue
		}
		class := "security"
		if strings.HasPrefix(typ, "critical") {
			class = "critical"
		}
		out[rpmName(f[2])] = class
	}
	return out
}

// rpmName extracts the name from name-[epoch:]version-release.arch.
func rpmName(nevra string) string {
	parts := strings.Split(nevra, "-")
	if len(parts) < 3 {
		return nevra
	}
	return strings.Join(parts[:len(parts)-2], "-")
}

// parseRebootRequiredPkgs reads /var/run/reboot-required.pkgs.
func parseRebootRequiredPkgs(b []byte) []string {
	var out []string
	for _, l := range lines(b) {
		if !containsStr(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// compareVersions compares version strings piece by piece, numbers as
// numbers ("6.1.0-22" > "6.1.0-9").
func compareVersions(a, b string) int {
	split := func(s string) []string {
		var out []string
		cur := ""
		digit := false
		for _, r := range s {
			d := r >= '0' && r <= '9'
			if cur != "" && d != digit {
				out = append(out, cur)
				cur = ""
			}
			if !d && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				if cur != "" {
					out = append(out, cur)
					cur = ""
				}
				continue
			}
			cur += string(r)
			digit = d
		}
		if cur != "" {
			out = append(out, cur)
		}
		return out
	}
	pa, pb := split(a), split(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(pa[i], pb[i]); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(pa) < len(pb):
		return -1
	case len(pa) > len(pb):
		return 1
	}
	return 0
}

// parseUfwStatus reads `ufw status`.
func parseUfwStatus(b []byte) (enabled, ok bool) {
	for _, l := range lines(b) {
		if v, found := strings.CutPrefix(l, "Status:"); found {
			return strings.TrimSpace(v) == "active", true
		}
	}
	return false, false
}

// parseNftRuleset reads `nft list ruleset` and reports whether it filters
// incoming traffic: an input-hooked chain with rules or a drop policy.
func parseNftRuleset(b []byte) bool {
	inChain, inputHook, rules := false, false, 0
	for _, l := range lines(b) {
		switch {
		case strings.HasPrefix(l, "chain "):
			inChain, inputHook, rules = true, false, 0
		case inChain && strings.HasPrefix(l, "type filter hook input"):
			inputHook = true
			if strings.Contains(l, "policy drop") || strings.Contains(l, "policy reject") {
				return true
			}
		case inChain && l == "}":
			if inputHook && rules > 0 {
				return true
			}
			inChain = false
		case inChain && inputHook:
			rules++
		}
	}
	return false
}

// parseGroupMembers returns the members of the named groups in /etc/group.
func parseGroupMembers(b []byte, groups ...string) []string {
	var out []string
	for _, l := range lines(b) {
		f := strings.Split(l, ":")
		if len(f) < 4 || !containsStr(groups, f[0]) {
			continue
		}
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" && !containsStr(out, m) {
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// journalEntry is the part of `journalctl -o json` the agent reads.
type journalEntry struct {
	Realtime   string          `json:"__REALTIME_TIMESTAMP"`
	Priority   string          `json:"PRIORITY"`
	Identifier json.RawMessage `json:"SYSLOG_IDENTIFIER"`
	Unit       json.RawMessage `json:"_SYSTEMD_UNIT"`
	Comm       json.RawMessage `json:"_COMM"`
	Transport  string          `json:"_TRANSPORT"`
	Message    json.RawMessage `json:"MESSAGE"`
}

// journalString decodes a journal field: a string, an array of bytes
// (non-UTF-8 data) or null; a field repeated in one entry comes as an
// array of those, of which the first is kept.
func journalString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var bs []byte
	var nums []int
	if json.Unmarshal(raw, &nums) == nil {
		bs = make([]byte, 0, len(nums))
		for _, n := range nums {
			bs = append(bs, byte(n))
		}
		return string(bs)
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return journalString(many[0])
	}
	return ""
}

// eventGroups groups log entries by (log, source, event id, level).
type eventGroups struct {
	groups map[string]*agentv1.EventLogGroup
}

func newEventGroups() *eventGroups { return &eventGroups{groups: map[string]*agentv1.EventLogGroup{}} }

// add counts one entry; the sample is the newest entry's message.
func (g *eventGroups) add(log, source string, id int64, level string, t time.Time, msg string) {
	key := log + "\x00" + source + "\x00" + strconv.FormatInt(id, 10) + "\x00" + level
	e, ok := g.groups[key]
	if !ok {
		e = &agentv1.EventLogGroup{Log: log, Source: source, EventId: id, Level: level}
		g.groups[key] = e
	}
	e.Count++
	if e.FirstTime == nil || t.Before(e.FirstTime.AsTime()) {
		e.FirstTime = ts(t)
	}
	if e.LastTime == nil || !t.Before(e.LastTime.AsTime()) {
		e.LastTime = ts(t)
		e.SampleMessage = truncate(cleanText(strings.TrimSpace(msg)), 1000)
	}
}

// list returns at most limit groups: the most severe, then the most
// frequent, first.
func (g *eventGroups) list(limit int) []*agentv1.EventLogGroup {
	out := make([]*agentv1.EventLogGroup, 0, len(g.groups))
	for _, e := range g.groups {
		out = append(out, e)
	}
	rank := map[string]int{"critical": 0, "error": 1, "warning": 2}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.Level] != rank[b.Level] {
			return rank[a.Level] < rank[b.Level]
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.EventId < b.EventId
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// maxEventGroups bounds the event-log section of one snapshot.
const maxEventGroups = 200

// syslogLevel maps a syslog priority to the contract's levels.
func syslogLevel(p string) (string, bool) {
	switch strings.TrimSpace(p) {
	case "0", "1", "2":
		return "critical", true
	case "3":
		return "error", true
	case "4":
		return "warning", true
	}
	return "", false
}

// parseJournal reads `journalctl -o json` (one object a line) as a stream
// and groups warnings and worse by source (SYSLOG_IDENTIFIER, else the
// systemd unit, else the command, "kernel" for kernel messages).
func parseJournal(r io.Reader) ([]*agentv1.EventLogGroup, error) {
	g := newEventGroups()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var e journalEntry
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		level, ok := syslogLevel(e.Priority)
		if !ok {
			continue
		}
		src := firstNonEmpty(journalString(e.Identifier), journalString(e.Unit), journalString(e.Comm))
		if e.Transport == "kernel" {
			src = "kernel"
		}
		if src == "" {
			src = "unknown"
		}
		us := atoi64(e.Realtime)
		g.add("journal", src, 0, level, time.UnixMicro(us).UTC(), journalString(e.Message))
	}
	if err := sc.Err(); err != nil {
		return g.list(maxEventGroups), err
	}
	return g.list(maxEventGroups), nil
}

// parseApportCrash reads the header of an apport report in /var/crash.
func parseApportCrash(b []byte) *agentv1.Crash {
	kv := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || l[0] == ' ' {
			continue // continuation lines of base64 blobs and stack traces
		}
		k, v, ok := strings.Cut(l, ": ")
		if ok {
			if _, dup := kv[k]; !dup {
				kv[k] = strings.TrimSpace(v)
			}
		}
	}
	if kv["ProblemType"] == "" {
		return nil
	}
	c := &agentv1.Crash{Application: firstNonEmpty(kv["ExecutablePath"], kv["Package"], kv["ProblemType"])}
	if kv["ProblemType"] == "KernelCrash" || kv["ProblemType"] == "KernelOops" {
		c.Application = "kernel"
	}
	for _, layout := range []string{"Mon Jan _2 15:04:05 2006", "Mon Jan 2 15:04:05 2006"} {
		if t, err := time.ParseInLocation(layout, kv["Date"], time.Local); err == nil {
			c.Time = ts(t)
			break
		}
	}
	var detail []string
	if s := kv["Signal"]; s != "" {
		detail = append(detail, "signal "+s+signalName(s))
	}
	if s := kv["Title"]; s != "" {
		detail = append(detail, s)
	}
	c.Detail = truncate(cleanText(strings.Join(detail, "; ")), 500)
	return c
}

func signalName(s string) string {
	names := map[string]string{"4": " (SIGILL)", "6": " (SIGABRT)", "7": " (SIGBUS)", "8": " (SIGFPE)", "11": " (SIGSEGV)", "5": " (SIGTRAP)", "31": " (SIGSYS)"}
	return names[s]
}

// parseCoredumpctl reads `coredumpctl list --json=short`.
func parseCoredumpctl(b []byte) ([]*agentv1.Crash, error) {
	var rows []struct {
		Time int64  `json:"time"`
		Sig  int    `json:"sig"`
		Exe  string `json:"exe"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("coredumpctl: %w", err)
	}
	var out []*agentv1.Crash
	for _, r := range rows {
		out = append(out, &agentv1.Crash{
			Application: r.Exe,
			Time:        ts(time.UnixMicro(r.Time).UTC()),
			Detail:      "signal " + strconv.Itoa(r.Sig) + signalName(strconv.Itoa(r.Sig)),
		})
	}
	return out, nil
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// sameFlavourPortable compares the flavour of kernel releases (amd64,
// cloud-amd64, generic, el9_4.x86_64) so that another flavour is not
// taken for an update.
func sameFlavourPortable(a, b string) bool { return kernelFlavour(a) == kernelFlavour(b) }

func kernelFlavour(s string) string {
	letter := func(p string) bool { return p != "" && (p[0] < '0' || p[0] > '9') }
	parts := strings.Split(s, "-")
	i := len(parts) - 1
	for i > 0 && letter(parts[i]) {
		i--
	}
	tail := strings.Join(parts[i+1:], "-")
	segs := strings.Split(parts[i], ".")
	for j, sg := range segs {
		if letter(sg) {
			return strings.Join(segs[j:], ".") + "-" + tail
		}
	}
	return tail
}

// mdHeader matches an array line of /proc/mdstat:
// "md0 : active raid1 sdb1[1](F) sda1[0]" or "md5 : inactive sdl1[0](S)".
var mdHeader = regexp.MustCompile(`^(md\S*) : (active|inactive)(?: \((?:auto-)?read-only\))?(?: (raid\d+|linear|multipath|faulty))?((?: \S+\[\d+\](?:\([A-Z]\))?)*)\s*$`)

// mdCounts matches "[2/1] [U_]" on the status line; mdProgress the
// progress line of a recovery, resync, reshape or check.
var (
	mdCounts   = regexp.MustCompile(`\[(\d+)/(\d+)\] \[([U_]+)\]`)
	mdProgress = regexp.MustCompile(`(recovery|resync|reshape|check|repair)\s*=\s*([\d.]+)%`)
)

// parseMdstat reads /proc/mdstat (Linux software RAID, mdadm). An array is
// "degraded" when fewer devices are active than it should have, "rebuilding"
// while a recovery, resync or reshape runs, "failed" when inactive, else
// "healthy" (a "check" is a scrub of a healthy array).
func parseMdstat(b []byte) []*agentv1.RaidArray {
	var out []*agentv1.RaidArray
	var cur *agentv1.RaidArray
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimRight(l, " \r\t")
		if m := mdHeader.FindStringSubmatch(l); m != nil {
			cur = &agentv1.RaidArray{Name: m[1], Kind: "mdadm", Level: m[3], State: "healthy"}
			cur.Members = strings.Fields(m[4])
			cur.Devices = int32(len(cur.Members))
			for _, d := range cur.Members {
				if !strings.HasSuffix(d, "(F)") && !strings.HasSuffix(d, "(S)") {
					cur.ActiveDevices++
				}
			}
			if m[2] == "inactive" {
				cur.State, cur.Detail = "failed", "inactive"
			}
			out = append(out, cur)
			continue
		}
		if cur == nil || !strings.HasPrefix(l, " ") {
			if strings.TrimSpace(l) == "" {
				cur = nil
			}
			continue
		}
		if m := mdCounts.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			act, _ := strconv.Atoi(m[2])
			cur.Devices, cur.ActiveDevices = int32(n), int32(act)
			cur.Detail = "[" + m[1] + "/" + m[2] + "] [" + m[3] + "]"
			if act < n && cur.State == "healthy" {
				cur.State = "degraded"
			}
		}
		if m := mdProgress.FindStringSubmatch(l); m != nil {
			pct, _ := strconv.ParseFloat(m[2], 64)
			cur.Detail = strings.TrimSpace(cur.Detail + " " + m[1] + " = " + m[2] + "%")
			if m[1] != "check" && m[1] != "repair" {
				cur.State, cur.RebuildPercent = "rebuilding", pct
			}
		}
	}
	return out
}
