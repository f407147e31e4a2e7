package analyzer

import (
	"fmt"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var storageChecks = []check{
	{
		// Thresholds: warn < 20 %, fail < 10 %, critical < 5 % (Wegweiser default),
		// the same steps as Microsoft's low-disk-space warnings and the
		// default "low free space" triggers of Zabbix (20 %/10 %) and PRTG.
		info: CheckInfo{ID: "storage.volume_free_space", Domain: Storage, Title: "Volume free space",
			Unit: "% free", Compare: "<", Warn: f64(20), Fail: f64(10), Critical: f64(5),
			WarnSeverity: Medium, Severity: High,
			Source:      "Zabbix/PRTG default free-space triggers (20 % / 10 %); Wegweiser default 5 % critical",
			Description: "Free space of every fixed, writable volume of at least 1 GiB."},
		run: checkVolumeFreeSpace,
	},
	{
		// Any drive the OS or SMART reports as failing is about to lose data
		// (fail on any failing or predicted failure; SMART's own
		// threshold-exceeded flag).
		info: CheckInfo{ID: "storage.smart_health", Domain: Storage, Title: "Disk health (SMART)",
			WarnSeverity: High, Severity: Critical,
			Source:      "SMART overall-health self-assessment (ATA/NVMe critical warning)",
			Description: "The drive's overall health and SMART failure prediction."},
		run: checkSmartHealth,
	},
	{
		// Backblaze drive stats: a raw SMART 5 above zero multiplies the
		// failure rate; a hundred or more reallocations is a drive to replace.
		info: CheckInfo{ID: "storage.smart_reallocated_sectors", Domain: Storage, Title: "Reallocated sectors (SMART 5)",
			Unit: "sectors", Compare: ">=", Warn: f64(1), Fail: f64(100),
			WarnSeverity: Medium, Severity: High,
			Source:      "Backblaze Drive Stats: SMART 5 raw > 0 predicts failure",
			Description: "Sectors the drive has remapped after read or write failures."},
		run: func(e *env) {
			checkSmartCounter(e, "reallocated sectors", "reallocated_sectors", (*agentv1.PhysicalDisk).GetReallocatedSectors)
		},
	},
	{
		// Backblaze drive stats: SMART 197 (current pending sectors) above zero
		// is among the strongest single predictors of failure.
		info: CheckInfo{ID: "storage.smart_pending_sectors", Domain: Storage, Title: "Pending sectors (SMART 197)",
			Unit: "sectors", Compare: ">=", Warn: f64(1), Fail: f64(10),
			WarnSeverity: Medium, Severity: High,
			Source:      "Backblaze Drive Stats: SMART 197 raw > 0 predicts failure",
			Description: "Unstable sectors waiting to be remapped."},
		run: func(e *env) {
			checkSmartCounter(e, "pending sectors", "pending_sectors", (*agentv1.PhysicalDisk).GetPendingSectors)
		},
	},
	{
		// NVMe "Percentage Used" (NVMe base spec, SMART / Health log): 100 %
		// means the rated endurance is used up; vendors warranty to 100 %.
		info: CheckInfo{ID: "storage.ssd_wear", Domain: Storage, Title: "SSD wear",
			Unit: "% of rated endurance used", Compare: ">=", Warn: f64(80), Fail: f64(95),
			WarnSeverity: Medium, Severity: High,
			Source:      "NVMe specification, Percentage Used; vendor endurance ratings (TBW)",
			Description: "How much of an SSD's rated write endurance is used."},
		run: checkSSDWear,
	},
	{
		// Hard drives are rated to 60 °C (Seagate, WD data sheets); NVMe drives
		// start throttling around 70 °C (typical WCTEMP). One threshold for all:
		// warn at 60, fail at 70.
		info: CheckInfo{ID: "storage.disk_temperature", Domain: Storage, Title: "Disk temperature",
			Unit: "°C", Compare: ">=", Warn: f64(60), Fail: f64(70),
			WarnSeverity: Low, Severity: Medium,
			Source:      "HDD data sheets (operating max 60 °C); NVMe warning composite temperature (~70 °C)",
			Description: "Drive temperature as SMART reports it."},
		run: checkDiskTemperature,
	},
	{
		// Backblaze: annualised failure rates climb after about five years of
		// service; seven years (61,320 h) matches the hardware.age fail threshold.
		info: CheckInfo{ID: "storage.disk_power_on_hours", Domain: Storage, Title: "Disk age (power-on hours)",
			Unit: "hours", Compare: ">=", Warn: f64(43800), Fail: f64(61320),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Backblaze Drive Stats (failure rates rise after ~5 years); 5 / 7 years as for hardware age",
			Description: "Hours the drive has been powered on (SMART 9)."},
		run: checkPowerOnHours,
	},
	{
		// A degraded array has lost its redundancy: one more disk failure
		// loses data (fail, high); a failed or inactive array has lost it
		// (critical); a rebuild restores redundancy but stresses the
		// remaining disks (warn). Sources: Linux md (mdadm(8), /proc/mdstat),
		// Microsoft Storage Spaces health and operational states
		// (Get-VirtualDisk, "Troubleshoot Storage Spaces"), and RAID
		// controller drivers' events in the System log (Broadcom/LSI
		// megasas, Dell PERC percsas, Intel RST iaStor, Microsemi/Adaptec
		// arcsas, HPE Smart Array cpqcidrv / HpCISSs / SmartPqi) that report
		// a degraded, failed or rebuilding virtual drive.
		info: CheckInfo{ID: "storage.array_health", Domain: Storage, Title: "RAID and storage pool health",
			WarnSeverity: Medium, Severity: High,
			Source:      "mdadm /proc/mdstat; Microsoft Storage Spaces health states; RAID controller driver events (megasas, percsas, iaStor, arcsas, cpqcidrv, SmartPqi)",
			Description: "Health of software RAID arrays, Storage Spaces pools and virtual disks, and RAID controller events about degraded or rebuilding drives."},
		run: checkArrayHealth,
	},
}

// raidControllerSources are event sources of RAID controller drivers and
// their management services (lower-case prefixes).
var raidControllerSources = []string{"megasas", "percsas", "megaraid", "mr_monitor", "iastor", "arcsas", "cpqcidrv", "hpcisss", "smartpqi", "cpqarray", "hpsa", "ciss"}

// raidTrouble are message fragments of controller events about an array.
var raidTrouble = []string{"degraded", "failed", "offline", "rebuild", "missing", "predictive", "critical", "not optimal", "removed"}

// isRAIDControllerEvent reports whether a log group is a RAID controller
// reporting trouble with a drive or an array: an error from a controller
// driver, or a warning whose message names a degraded, failed or
// rebuilding drive.
func isRAIDControllerEvent(g *agentv1.EventLogGroup) bool {
	src := strings.ToLower(g.GetSource())
	ok := false
	for _, p := range raidControllerSources {
		if strings.HasPrefix(src, p) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	lvl := strings.ToLower(g.GetLevel())
	if lvl == "error" || lvl == "critical" {
		return true
	}
	msg := strings.ToLower(g.GetSampleMessage())
	for _, k := range raidTrouble {
		if strings.Contains(msg, k) {
			return true
		}
	}
	return false
}

func checkArrayHealth(e *env) {
	n := 0
	for i, a := range e.s.GetStorage().GetArrays() {
		n++
		name := a.GetName()
		src := fmt.Sprintf("storage.arrays[%d]", i)
		what := "Array " + name
		switch a.GetKind() {
		case "storage-spaces-pool":
			what = "Storage pool " + name
		case "storage-spaces-virtual-disk":
			what = "Virtual disk " + name
		}
		ev := []Evidence{
			{"state", orNone(a.GetState()), src + ".state"},
			{"status", orNone(a.GetDetail()), src + ".detail"},
			{"layout", strings.TrimSpace(orNone(a.GetLevel()) + " (" + orNone(a.GetKind()) + ")"), src + ".level"},
		}
		if a.GetDevices() > 0 {
			ev = append(ev, Evidence{"active devices", fmt.Sprintf("%d of %d", a.GetActiveDevices(), a.GetDevices()), src + ".active_devices"})
		}
		if len(a.GetMembers()) > 0 {
			ev = append(ev, Evidence{"members", strings.Join(a.GetMembers(), ", "), src + ".members"})
		}
		f := Finding{Subject: "array " + name, Evidence: ev}
		switch a.GetState() {
		case "healthy":
			f.Status, f.Title, f.Detail = Pass, what+" is healthy", what+" reports all its devices active."
		case "rebuilding":
			f.Status, f.Title = Warn, fmt.Sprintf("%s is rebuilding (%s)", what, fmtPct(a.GetRebuildPercent()))
			f.Detail = what + " is restoring its redundancy; until it finishes, another disk failure can lose data."
			f.Recommendation = "Let the rebuild finish (avoid restarts and heavy load), make sure backups are current, and find out which disk was replaced or dropped out and why."
		case "degraded":
			f.Status, f.Title = Fail, what+" is degraded"
			f.Detail = what + " has lost its redundancy (" + orNone(a.GetDetail()) + "); one more disk failure loses data."
			f.Recommendation = "Back up now, replace the failed member disk and start the rebuild (mdadm --manage --add, Repair-VirtualDisk or the controller's tool)."
		case "failed":
			f.Status, f.Severity, f.Title = Fail, Critical, what+" has failed"
			f.Detail = what + " is failed or inactive (" + orNone(a.GetDetail()) + "); its data is unavailable or lost."
			f.Recommendation = "Do not write to the member disks; restore from backup or get the array assembled by someone experienced with " + orNone(a.GetKind()) + " recovery."
		default:
			e.unknown("array "+name, what+" does not report its health.", ev...)
			continue
		}
		e.add(f)
	}
	// Hardware RAID controllers: their drivers' events in the last 7 days.
	if e.logsCollected() {
		var total int64
		var groups []int
		for i, g := range e.s.GetEventLogs() {
			if isRAIDControllerEvent(g) && e.inWeek(g) {
				total += g.GetCount()
				groups = append(groups, i)
			}
		}
		if total > 0 {
			n++
			e.add(Finding{Subject: "controller events", Status: Warn,
				Title:          fmt.Sprintf("RAID controller reported %s in 7 days", plural(total, "problem", "problems")),
				Detail:         "The storage controller's driver logged errors or degraded, failed or rebuilding drives; the array behind it may have lost its redundancy.",
				Evidence:       evidenceForGroups(groups, e.s.GetEventLogs(), e),
				Recommendation: "Open the controller's management tool (MegaRAID Storage Manager / perccli, Intel RST, HPE Smart Storage Administrator, arcconf) and check the virtual drive and disk states; replace failed disks."})
		}
	}
	if n == 0 {
		e.unknown("", "No RAID arrays, storage pools or RAID controller events reported.")
	}
}

// skipFS are pseudo, read-only or image file systems that are full by design.
var skipFS = map[string]bool{"squashfs": true, "iso9660": true, "udf": true, "tmpfs": true, "devtmpfs": true,
	"overlay": true, "cdfs": true, "proc": true, "sysfs": true, "ramfs": true, "nsfs": true, "erofs": true,
	"autofs": true, "cgroup": true, "cgroup2": true, "fuse.snapfuse": true}

// countedVolume reports whether a volume counts for free space.
func countedVolume(v *agentv1.Volume) bool {
	mp := v.GetMountPoint()
	fs := strings.ToLower(v.GetFileSystem())
	switch {
	case skipFS[fs], v.GetSizeBytes() < gib:
		return false
	case strings.HasPrefix(mp, "/snap/"), strings.HasPrefix(mp, "/boot/efi"), mp == "/boot" && v.GetSizeBytes() < 2*gib:
		return false
	case strings.HasPrefix(mp, "/System/Volumes/") && mp != "/System/Volumes/Data":
		return false // macOS Preboot, VM, Update, xarts…: managed by the OS
	}
	return true
}

func volumeName(v *agentv1.Volume) string {
	if v.GetMountPoint() != "" {
		return v.GetMountPoint()
	}
	return v.GetLabel()
}

func checkVolumeFreeSpace(e *env) {
	vols := e.s.GetStorage().GetVolumes()
	n := 0
	for _, v := range vols {
		if !countedVolume(v) {
			continue
		}
		n++
		name := volumeName(v)
		free := float64(v.GetFreeBytes()) * 100 / float64(v.GetSizeBytes())
		src := fmt.Sprintf("storage.volumes[%s]", name)
		e.graded(free, Finding{
			Subject: "volume " + name,
			Title:   "Volume " + name + " has " + fmtPct(free) + " free",
			Detail: fmt.Sprintf("%s of %s free on %s (%s).", fmtGiB(v.GetFreeBytes()), fmtGiB(v.GetSizeBytes()), name,
				v.GetFileSystem()),
			Evidence: []Evidence{
				{"free space", fmt.Sprintf("%s (%s of %s)", fmtPct(free), fmtGiB(v.GetFreeBytes()), fmtGiB(v.GetSizeBytes())), src + ".free_bytes"},
			},
			Recommendation: "Free space on " + name + ": clear temporary files and old update caches (Disk Cleanup / storage sense, " +
				"apt clean, log rotation), move user data elsewhere, or extend the volume.",
		})
	}
	if n == 0 {
		e.unknown("", "The snapshot lists no fixed volumes.")
	}
}

func diskName(d *agentv1.PhysicalDisk) string {
	if d.GetName() != "" {
		return d.GetName()
	}
	return d.GetSerialNumber()
}

func checkSmartHealth(e *env) {
	disks := e.s.GetStorage().GetDisks()
	if len(disks) == 0 {
		e.unknown("", "The snapshot lists no physical disks.")
		return
	}
	for _, d := range disks {
		name := diskName(d)
		src := fmt.Sprintf("storage.disks[%s]", name)
		health := strings.ToLower(d.GetHealth())
		ev := []Evidence{
			{"health", orNone(d.GetHealth()), src + ".health"},
			{"SMART failure predicted", fmt.Sprint(d.GetSmartFailurePredicted()), src + ".smart_failure_predicted"},
		}
		f := Finding{Subject: "disk " + name, Evidence: ev,
			Recommendation: "Back up " + name + " (" + d.GetModel() + ") now and replace the drive; do not wait for it to fail."}
		switch {
		case health == "failing" || d.GetSmartFailurePredicted():
			f.Status, f.Title = Fail, "Disk "+name+" is failing"
			f.Detail = "The drive reports a failing health state or a SMART failure prediction; data loss is likely."
		case health == "warning":
			f.Status, f.Title = Warn, "Disk "+name+" reports degraded health"
			f.Detail = "The drive reports a warning health state."
			f.Recommendation = "Check the drive's SMART attributes with the vendor's tool, make sure backups of " + name + " are current and plan its replacement."
		case health == "healthy":
			f.Status, f.Title, f.Detail = Pass, "Disk "+name+" is healthy", "The drive reports a healthy state."
		default:
			e.unknown("disk "+name, "The drive does not report its health.", ev...)
			continue
		}
		e.add(f)
	}
}

// smartApplies reports whether a SMART counter can be judged for a disk: the
// drive must report its health (else zeros mean "not read").
func smartApplies(d *agentv1.PhysicalDisk) bool {
	h := strings.ToLower(d.GetHealth())
	return h != "" && h != "unknown"
}

func checkSmartCounter(e *env, label, field string, get func(*agentv1.PhysicalDisk) int64) {
	n := 0
	for _, d := range e.s.GetStorage().GetDisks() {
		if !smartApplies(d) {
			continue
		}
		n++
		name := diskName(d)
		v := get(d)
		e.graded(float64(v), Finding{
			Subject:  "disk " + name,
			Title:    fmt.Sprintf("Disk %s has %s", name, plural(v, strings.TrimSuffix(label, "s"), label)),
			Detail:   fmt.Sprintf("SMART counts %d %s on %s (%s).", v, label, name, d.GetModel()),
			Evidence: []Evidence{{label, fmt.Sprint(v), fmt.Sprintf("storage.disks[%s].%s", name, field)}},
			Recommendation: "Back up " + name + ", run the vendor's extended self-test and replace the drive if the count grows; " +
				"Backblaze data shows such drives fail far more often.",
		})
	}
	if n == 0 {
		e.unknown("", "No disk reports SMART data.")
	}
}

func isSSD(d *agentv1.PhysicalDisk) bool {
	m := strings.ToLower(d.GetMediaType())
	return m == "ssd" || m == "nvme"
}

func checkSSDWear(e *env) {
	n := 0
	for _, d := range e.s.GetStorage().GetDisks() {
		if !isSSD(d) || !smartApplies(d) {
			continue
		}
		n++
		name := diskName(d)
		w := d.GetWearPercent()
		e.graded(float64(w), Finding{
			Subject:  "disk " + name,
			Title:    fmt.Sprintf("SSD %s has used %d %% of its rated endurance", name, w),
			Detail:   fmt.Sprintf("%s (%s) reports %d %% of its rated write endurance used.", name, d.GetModel(), w),
			Evidence: []Evidence{{"endurance used", fmt.Sprintf("%d %%", w), fmt.Sprintf("storage.disks[%s].wear_percent", name)}},
			Recommendation: "Plan to replace SSD " + name + " before it reaches 100 % of its rated endurance; " +
				"check what writes so much (swap, logs, databases).",
		})
	}
	if n == 0 {
		e.unknown("", "No SSD reports its wear level.")
	}
}

func checkDiskTemperature(e *env) {
	n := 0
	for _, d := range e.s.GetStorage().GetDisks() {
		t := d.GetTemperatureCelsius()
		if t <= 0 {
			continue
		}
		n++
		name := diskName(d)
		e.graded(float64(t), Finding{
			Subject:  "disk " + name,
			Title:    fmt.Sprintf("Disk %s runs at %d °C", name, t),
			Detail:   fmt.Sprintf("%s (%s) reports %d °C.", name, d.GetModel(), t),
			Evidence: []Evidence{{"temperature", fmt.Sprintf("%d °C", t), fmt.Sprintf("storage.disks[%s].temperature_celsius", name)}},
			Recommendation: "Improve cooling around " + name + ": check fans and air flow, clean dust filters, " +
				"and the room or rack temperature.",
		})
	}
	if n == 0 {
		e.unknown("", "No disk reports its temperature.")
	}
}

func checkPowerOnHours(e *env) {
	n := 0
	for _, d := range e.s.GetStorage().GetDisks() {
		h := d.GetPowerOnHours()
		if h <= 0 {
			continue
		}
		n++
		name := diskName(d)
		e.graded(float64(h), Finding{
			Subject:  "disk " + name,
			Title:    fmt.Sprintf("Disk %s has run %.1f years", name, float64(h)/8760),
			Detail:   fmt.Sprintf("%s (%s) has %d power-on hours.", name, d.GetModel(), h),
			Evidence: []Evidence{{"power-on hours", fmt.Sprintf("%d h (%.1f years)", h, float64(h)/8760), fmt.Sprintf("storage.disks[%s].power_on_hours", name)}},
			Recommendation: "Plan to replace drive " + name + " in the next hardware cycle and make sure its data is backed up; " +
				"failure rates rise with age.",
		})
	}
	if n == 0 {
		e.unknown("", "No disk reports its power-on hours.")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(not reported)"
	}
	return s
}
