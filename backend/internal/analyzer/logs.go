package analyzer

import (
	"fmt"
	"sort"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var logsChecks = []check{
	{
		// Wegweiser default (any in 7 days warn, any in 24 h fail). Event ids from
		// Microsoft's storage troubleshooting: disk 7 (bad block), 9 and 129
		// (device timeout / reset), 11 (controller error), 15 (device not
		// ready), 51 (paging error), 52 (predicted failure), 153 (I/O retried);
		// Ntfs 55 and 98 (file system corruption). Linux/macOS: kernel I/O
		// errors (blk_update_request, Buffer I/O error, medium errors).
		info: CheckInfo{ID: "logs.disk_hardware_events", Domain: Logs, Title: "Disk hardware errors in the logs",
			Unit: "hours since the last disk error", Compare: "<=", Warn: f64(168), Fail: f64(24),
			WarnSeverity: Medium, Severity: High,
			Source:      "Microsoft storage event ids 7, 9, 11, 15, 51, 52, 129, 153, Ntfs 55/98; Linux kernel block-layer errors; Wegweiser default (any in 7 days / in 24 h)",
			Description: "Disk, controller and file-system error events in the last 7 days."},
		run: checkDiskEvents,
	},
	{
		// Fail at ≥ 8 failed logons from one source in 2 min: the
		// frequency and time frame of the OSSEC/Wazuh brute-force rules (sshd
		// 5712/5720, Windows 60204: 8 events in 120 s). Groups carry only a
		// count and a time span, so the peak rate is estimated: the count
		// itself when the group spans 2 min or less, else its mean rate.
		info: CheckInfo{ID: "logs.failed_logon_burst", Domain: Logs, Title: "Brute-force logon attempts",
			Unit: "failed logons per 2 minutes (estimated peak)", Compare: ">=", Fail: f64(8),
			WarnSeverity: Medium, Severity: High,
			Source:      "OSSEC/Wazuh rules 5712, 5720, 60204 (8 failures in 120 s)",
			Description: "Bursts of failed logons: Windows event 4625/4771, sshd \"Failed password\" / \"Invalid user\"."},
		run: checkFailedLogonBurst,
	},
	{
		// Volume of failed logons over a week, below brute-force rate: guessed
		// passwords, stale credentials in services, or a slow password spray.
		info: CheckInfo{ID: "logs.failed_logons", Domain: Logs, Title: "Failed logons in 7 days",
			Unit: "failed logons in 7 days", Compare: ">=", Warn: f64(20), Fail: f64(100),
			WarnSeverity: Low, Severity: Medium,
			Source:      "CIS Controls v8 8.11 (review audit logs); Wegweiser default (20 / 100)",
			Description: "Failed logon events in the last 7 days."},
		run: checkFailedLogons,
	},
	{
		// Wegweiser default (same app ≥ 3 crashes in 7 days warn, ≥ 10 fail).
		info: CheckInfo{ID: "logs.app_crashes", Domain: Logs, Title: "Application crashes",
			Unit: "crashes of one application in 7 days", Compare: ">=", Warn: f64(3), Fail: f64(10),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Wegweiser default (3 / 10 crashes of one application in 7 days)",
			Description: "Crashes per application in the last 7 days."},
		run: checkAppCrashes,
	},
	{
		// Kernel crashes (bug checks, kernel panics) and unexpected shutdowns
		// (Kernel-Power 41, EventLog 6008, BugCheck 1001). One incident shows
		// in several logs, so the largest count stands for the incidents.
		info: CheckInfo{ID: "logs.system_crashes", Domain: Logs, Title: "System crashes and unexpected shutdowns",
			Unit: "incidents in 7 days", Compare: ">=", Warn: f64(1), Fail: f64(3),
			WarnSeverity: Low, Severity: High,
			Source:      "Microsoft event ids Kernel-Power 41, EventLog 6008, BugCheck 1001; Wegweiser default (1 / 3)",
			Description: "Blue screens, kernel panics and unexpected power-offs in the last 7 days."},
		run: checkSystemCrashes,
	},
	{
		// The plain volume of error and critical events; noisy on Windows
		// (DCOM 10016…), so it costs little.
		info: CheckInfo{ID: "logs.error_volume", Domain: Logs, Title: "Error events in 7 days",
			Unit: "error and critical events in 7 days", Compare: ">=", Warn: f64(100), Fail: f64(1000),
			WarnSeverity: Info, Severity: Low,
			Source:      "Wegweiser default (noise floor of a healthy Windows/Linux host)",
			Description: "Error and critical log entries in the last 7 days."},
		run: checkErrorVolume,
	},
}

const week = 7 * 24 * time.Hour

// logsCollected reports whether the event-log collector ran (an empty list
// then means "no events").
func (e *env) logsCollected() bool {
	for _, x := range e.s.GetErrors() {
		c := strings.ToLower(x.GetCollector())
		if strings.Contains(c, "log") || strings.Contains(c, "event") || strings.Contains(c, "journal") || strings.Contains(c, "crash") {
			return false
		}
	}
	return true
}

// lastSeen is when a group's last entry was logged (its first entry, or
// asOf, when that is not reported).
func (e *env) lastSeen(g *agentv1.EventLogGroup) time.Time {
	if t, ok := tsOK(g.GetLastTime()); ok {
		return t
	}
	if t, ok := tsOK(g.GetFirstTime()); ok {
		return t
	}
	return e.asOf
}

// inWeek reports whether the group's last entry is within 7 days of asOf;
// the group's whole count is attributed to its last entry.
func (e *env) inWeek(g *agentv1.EventLogGroup) bool { return e.since(e.lastSeen(g)) <= week }

func groupLabel(g *agentv1.EventLogGroup) string {
	if g.GetEventId() != 0 {
		return fmt.Sprintf("%s/%s %d", g.GetLog(), g.GetSource(), g.GetEventId())
	}
	return g.GetLog() + "/" + g.GetSource()
}

func groupSource(i int) string { return fmt.Sprintf("event_logs[%d]", i) }

var diskEventIDs = map[int64]bool{7: true, 9: true, 11: true, 15: true, 51: true, 52: true, 129: true, 153: true}
var ntfsEventIDs = map[int64]bool{55: true, 98: true}
var storageSources = []string{"disk", "stor", "iastor", "atapi", "lsi", "megasas", "nvme", "ahci", "scsi", "sas", "raid"}
var kernelIOErrors = []string{"i/o error", "blk_update_request", "critical medium error", "medium error", "unrecovered read error",
	"ata bus error", "failed command: read", "failed command: write", "ext4-fs error", "xfs_corruption", "btrfs: error", "apfs: error",
	"disk i/o error", "resetting controller", "nvme: i/o"}

// isDiskEvent reports whether a log group is a disk hardware error.
func isDiskEvent(g *agentv1.EventLogGroup) bool {
	src := strings.ToLower(g.GetSource())
	if id := g.GetEventId(); id != 0 {
		if ntfsEventIDs[id] && strings.Contains(src, "ntfs") {
			return true
		}
		if diskEventIDs[id] {
			for _, s := range storageSources {
				if strings.Contains(src, s) {
					return true
				}
			}
		}
		return false
	}
	if src != "kernel" && !strings.Contains(src, "kernel") && src != "apfs" && src != "disk" {
		return false
	}
	msg := strings.ToLower(g.GetSampleMessage())
	for _, k := range kernelIOErrors {
		if strings.Contains(msg, k) {
			return true
		}
	}
	return false
}

// evidenceForGroups lists up to five groups as evidence.
func evidenceForGroups(gs []int, all []*agentv1.EventLogGroup, e *env) []Evidence {
	var ev []Evidence
	for k, i := range gs {
		if k == 5 {
			ev = append(ev, Evidence{"more groups", fmt.Sprint(len(gs) - 5), "event_logs"})
			break
		}
		g := all[i]
		ev = append(ev, Evidence{groupLabel(g), fmt.Sprintf("%d × %s, last %s", g.GetCount(), orNone(g.GetLevel()), fmtTime(e.lastSeen(g))), groupSource(i)})
	}
	return ev
}

func checkDiskEvents(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	logs := e.s.GetEventLogs()
	// Look back as far as the widest threshold (7 days by default).
	window := week
	if e.hasWarn {
		window = max(window, time.Duration(e.warnT*float64(time.Hour)))
	}
	if e.hasFail {
		window = max(window, time.Duration(e.failT*float64(time.Hour)))
	}
	var hits []int
	var total int64
	newest := time.Time{}
	for i, g := range logs {
		if !isDiskEvent(g) || e.since(e.lastSeen(g)) > window {
			continue
		}
		hits = append(hits, i)
		total += g.GetCount()
		if t := e.lastSeen(g); t.After(newest) {
			newest = t
		}
	}
	if len(hits) == 0 {
		e.add(Finding{Status: Pass, Title: "No disk errors in the logs", Detail: "No disk, controller or file-system errors in the last 7 days.",
			Evidence: []Evidence{{"event groups read", fmt.Sprint(len(logs)), "event_logs"}}})
		return
	}
	hours := e.since(newest).Hours()
	ev := append([]Evidence{
		{"disk error events", fmt.Sprint(total), "event_logs[].count"},
		{"last one", fmt.Sprintf("%s (%.1f h ago)", fmtTime(newest), hours), "event_logs[].last_time"},
	}, evidenceForGroups(hits, logs, e)...)
	f := Finding{
		Title:    fmt.Sprintf("%s in the logs", plural(total, "disk error", "disk errors")),
		Detail:   fmt.Sprintf("The system log shows disk, controller or file-system errors, the last %.1f hours ago. The disk or its cabling may be failing.", hours),
		Evidence: ev,
		Recommendation: "Back up the device now, check SMART and run the vendor's disk diagnostics; reseat or replace the cable or controller; " +
			"run chkdsk /scan or fsck once the hardware is sound.",
	}
	e.graded(hours, f)
}

// isFailedLogon reports whether a group records failed logons.
func isFailedLogon(g *agentv1.EventLogGroup) bool {
	switch g.GetEventId() {
	case 4625, 4771:
		return strings.Contains(strings.ToLower(g.GetLog()), "security") || strings.Contains(strings.ToLower(g.GetSource()), "security")
	case 0:
	default:
		return false
	}
	src := strings.ToLower(g.GetSource())
	if !strings.HasPrefix(src, "sshd") && !strings.Contains(src, "login") && src != "sudo" && src != "su" && !strings.Contains(src, "pam") {
		return false
	}
	msg := strings.ToLower(g.GetSampleMessage())
	return strings.Contains(msg, "failed password") || strings.Contains(msg, "invalid user") ||
		strings.Contains(msg, "authentication failure") || strings.Contains(msg, "failed publickey")
}

// sourceAddress pulls the remote address out of a failed-logon sample
// ("Source Network Address: 203.0.113.45", "from 198.51.100.7 port").
func sourceAddress(msg string) string {
	for _, k := range []string{"Source Network Address:", " from ", "rhost="} {
		i := strings.Index(msg, k)
		if i < 0 {
			continue
		}
		rest := strings.TrimSpace(msg[i+len(k):])
		if j := strings.IndexAny(rest, " \t\r\n,;"); j >= 0 {
			rest = rest[:j]
		}
		if rest != "" && rest != "-" {
			return truncate(rest, 64)
		}
	}
	return ""
}

func checkFailedLogonBurst(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	logs := e.s.GetEventLogs()
	best, bestIdx := 0.0, -1
	for i, g := range logs {
		if !isFailedLogon(g) || !e.inWeek(g) {
			continue
		}
		first, ok1 := tsOK(g.GetFirstTime())
		last, ok2 := tsOK(g.GetLastTime())
		rate := float64(g.GetCount())
		if ok1 && ok2 {
			if span := last.Sub(first); span > 2*time.Minute {
				rate = float64(g.GetCount()) * float64(2*time.Minute) / float64(span)
			}
		}
		if rate > best {
			best, bestIdx = rate, i
		}
	}
	if bestIdx < 0 {
		e.add(Finding{Status: Pass, Title: "No failed logons", Detail: "No failed logon events in the last 7 days.",
			Evidence: []Evidence{{"event groups read", fmt.Sprint(len(logs)), "event_logs"}}})
		return
	}
	g := logs[bestIdx]
	first, _ := tsOK(g.GetFirstTime())
	last, _ := tsOK(g.GetLastTime())
	ev := []Evidence{
		{"peak rate (estimated)", fmt.Sprintf("%.1f per 2 min", best), groupSource(bestIdx)},
		{"failed logons in group", fmt.Sprint(g.GetCount()), groupSource(bestIdx) + ".count"},
		{"time span", fmt.Sprintf("%s – %s", fmtTime(first), fmtTime(last)), groupSource(bestIdx) + ".first_time/last_time"},
		{"event", groupLabel(g), groupSource(bestIdx)},
	}
	if a := sourceAddress(g.GetSampleMessage()); a != "" {
		ev = append(ev, Evidence{"source address (sample)", a, groupSource(bestIdx) + ".sample_message"})
	}
	e.graded(best, Finding{
		Title:    fmt.Sprintf("Failed logons at %.0f per 2 minutes", best),
		Detail:   fmt.Sprintf("%d failed logons (%s) between %s and %s: a password-guessing attack.", g.GetCount(), groupLabel(g), fmtTime(first), fmtTime(last)),
		Evidence: ev,
		Recommendation: "Block the source address at the firewall, make sure the service is not exposed to the internet (RDP/SSH behind VPN), " +
			"enforce account lockout (Windows) or fail2ban and key-only SSH (Linux), and check for successful logons from the same address.",
	})
}

func checkFailedLogons(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	logs := e.s.GetEventLogs()
	var hits []int
	var total int64
	for i, g := range logs {
		if isFailedLogon(g) && e.inWeek(g) {
			hits = append(hits, i)
			total += g.GetCount()
		}
	}
	ev := append([]Evidence{{"failed logons", fmt.Sprint(total), "event_logs[].count"}}, evidenceForGroups(hits, logs, e)...)
	e.graded(float64(total), Finding{
		Title:          fmt.Sprintf("%s in 7 days", plural(total, "failed logon", "failed logons")),
		Detail:         fmt.Sprintf("The logs record %s in the last 7 days.", plural(total, "failed logon", "failed logons")),
		Evidence:       ev,
		Recommendation: "Find the accounts and sources (Security log 4625 / journalctl -u ssh): update stale credentials in services and mapped drives, block scanning sources.",
	})
}

func checkAppCrashes(e *env) {
	if len(e.s.GetCrashes()) == 0 && !e.logsCollected() {
		e.unknown("", "The event-log collector failed and no crashes are reported.")
		return
	}
	counts := map[string]int64{}
	latest := map[string]time.Time{}
	for _, c := range e.s.GetCrashes() {
		app := c.GetApplication()
		if isKernel(app) {
			continue
		}
		t, ok := tsOK(c.GetTime())
		if !ok {
			t = e.asOf
		}
		if e.since(t) > week {
			continue
		}
		counts[app]++
		if t.After(latest[app]) {
			latest[app] = t
		}
	}
	if len(counts) == 0 {
		e.add(Finding{Status: Pass, Title: "No application crashes", Detail: "No application crashed in the last 7 days.",
			Evidence: []Evidence{{"crashes reported", fmt.Sprint(len(e.s.GetCrashes())), "crashes"}}})
		return
	}
	apps := make([]string, 0, len(counts))
	for a := range counts {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	worst := false
	for _, a := range apps {
		if st, _ := e.level(float64(counts[a])); st == Pass {
			continue
		}
		worst = true
		e.graded(float64(counts[a]), Finding{
			Subject: "app " + a,
			Title:   fmt.Sprintf("%s crashed %s", a, plural(counts[a], "time", "times")),
			Detail:  fmt.Sprintf("%s crashed %s in the last 7 days, last at %s.", a, plural(counts[a], "time", "times"), fmtTime(latest[a])),
			Evidence: []Evidence{
				{"crashes in 7 days", fmt.Sprint(counts[a]), "crashes[application=" + a + "]"},
				{"last crash", fmtTime(latest[a]), "crashes[].time"},
			},
			Recommendation: "Update or repair " + a + " (and its add-ins), check the faulting module in the crash details, and reinstall it if crashes continue.",
		})
	}
	if !worst {
		var total int64
		for _, n := range counts {
			total += n
		}
		e.add(Finding{Status: Pass, Title: "No application crashes repeatedly",
			Detail:   fmt.Sprintf("%s across %s in 7 days, none often enough to matter.", plural(total, "crash", "crashes"), plural(int64(len(apps)), "application", "applications")),
			Evidence: []Evidence{{"crashes in 7 days", fmt.Sprint(total), "crashes"}}})
	}
}

func isKernel(app string) bool {
	a := strings.ToLower(app)
	return a == "kernel" || a == "bugcheck" || a == "kernel panic" || a == "system"
}

func checkSystemCrashes(e *env) {
	var kernel int64
	for _, c := range e.s.GetCrashes() {
		if !isKernel(c.GetApplication()) {
			continue
		}
		t, ok := tsOK(c.GetTime())
		if !ok || e.since(t) <= week {
			kernel++
		}
	}
	type src struct {
		label string
		n     int64
		path  string
	}
	counts := []src{{"kernel crashes", kernel, "crashes[application=kernel]"}}
	if e.logsCollected() {
		byID := map[string]int64{}
		path := map[string]string{}
		for i, g := range e.s.GetEventLogs() {
			s := strings.ToLower(g.GetSource())
			var key string
			switch {
			case g.GetEventId() == 41 && strings.Contains(s, "kernel-power"):
				key = "Kernel-Power 41 (unexpected power loss)"
			case g.GetEventId() == 6008 && strings.Contains(s, "eventlog"):
				key = "EventLog 6008 (unexpected shutdown)"
			case g.GetEventId() == 1001 && strings.Contains(s, "bugcheck"):
				key = "BugCheck 1001 (blue screen)"
			default:
				continue
			}
			if e.inWeek(g) {
				byID[key] += g.GetCount()
				path[key] = groupSource(i)
			}
		}
		for _, k := range []string{"BugCheck 1001 (blue screen)", "EventLog 6008 (unexpected shutdown)", "Kernel-Power 41 (unexpected power loss)"} {
			if byID[k] > 0 {
				counts = append(counts, src{k, byID[k], path[k]})
			}
		}
	} else if len(e.s.GetCrashes()) == 0 {
		e.unknown("", "The event-log collector failed and no crashes are reported.")
		return
	}
	var n int64
	var ev []Evidence
	for _, c := range counts {
		n = max(n, c.n)
		ev = append(ev, Evidence{c.label, fmt.Sprint(c.n), c.path})
	}
	e.graded(float64(n), Finding{
		Title:    fmt.Sprintf("%s in 7 days", plural(n, "system crash or unexpected shutdown", "system crashes or unexpected shutdowns")),
		Detail:   "Counts blue screens, kernel panics and unexpected power-offs; one incident appears in several logs, so the largest count is used.",
		Evidence: ev,
		Recommendation: "Read the crash dumps (WinDbg !analyze, the panic report), update drivers and firmware, test memory and power supply; " +
			"for power losses check the UPS and power cabling.",
	})
}

func checkErrorVolume(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	type agg struct {
		idx int
		n   int64
	}
	var total int64
	var top []agg
	for i, g := range e.s.GetEventLogs() {
		lvl := strings.ToLower(g.GetLevel())
		if (lvl != "error" && lvl != "critical") || !e.inWeek(g) {
			continue
		}
		total += g.GetCount()
		top = append(top, agg{i, g.GetCount()})
	}
	sort.SliceStable(top, func(a, b int) bool { return top[a].n > top[b].n })
	ev := []Evidence{{"error and critical entries", fmt.Sprint(total), "event_logs[level=error|critical].count"}}
	for k, a := range top {
		if k == 3 {
			break
		}
		g := e.s.GetEventLogs()[a.idx]
		ev = append(ev, Evidence{groupLabel(g), fmt.Sprint(a.n), groupSource(a.idx)})
	}
	e.graded(float64(total), Finding{
		Title:          fmt.Sprintf("%s in 7 days", plural(total, "error event", "error events")),
		Detail:         "Error and critical entries in the system logs over the last 7 days.",
		Evidence:       ev,
		Recommendation: "Look at the most frequent sources first; fix or silence the recurring ones so that new errors stand out.",
	})
}
