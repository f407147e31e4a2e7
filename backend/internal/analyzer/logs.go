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
		// 5712/5720, Windows 60204: 8 events in 120 s, same source IP).
		// Agents group failed logons per source address; groups carry only a
		// count and a time span, so the peak per source is estimated (see
		// peakPerSource): short groups of one source within 2 min are added
		// up, a longer group counts its mean rate.
		info: CheckInfo{ID: "logs.failed_logon_burst", Domain: Logs, Title: "Brute-force logon attempts",
			Unit: "failed logons per 2 minutes (estimated peak)", Compare: ">=", Fail: f64(8),
			WarnSeverity: Medium, Severity: High,
			Source:      "OSSEC/Wazuh rules 5712, 5720, 60204 (8 failures in 120 s)",
			Description: "Bursts of failed logons from one source address in the last 7 days: Windows event 4625/4771, sshd \"Failed password\" / \"Invalid user\", PAM authentication failures."},
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
		// Processes killed for lack of memory: the Linux kernel's OOM killer
		// ("Out of memory: Killed process …", "oom-kill:"), systemd-oomd, and
		// Windows Resource-Exhaustion-Detector 2004 (virtual memory low, a
		// process was or should be closed). Any in 7 days warns, 3 fail: a
		// service was killed repeatedly. Reported next to the sustained
		// memory use of the snapshot, the other half of the picture.
		info: CheckInfo{ID: "performance.oom_kills", Domain: Performance, Title: "Out-of-memory kills", Platforms: []string{"windows", "linux"},
			Unit: "out-of-memory kills in 7 days", Compare: ">=", Warn: f64(1), Fail: f64(3),
			WarnSeverity: Medium, Severity: High,
			Source:      "Linux kernel OOM killer and systemd-oomd messages; Microsoft-Windows-Resource-Exhaustion-Detector 2004; Wegweiser default (1 / 3 in 7 days)",
			Description: "Processes killed (or flagged for closing) because memory ran out, in the last 7 days."},
		run: checkOOMKills,
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
// then means "no events"). With a window that holds events, they are
// judged even when the latest collection failed: they were collected by
// earlier snapshots.
func (e *env) logsCollected() bool {
	if w := e.in.Window; w != nil && (len(w.Events) > 0 || len(w.Crashes) > 0) {
		return true
	}
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
	if !strings.HasPrefix(src, "sshd") && !strings.Contains(src, "login") && src != "sudo" && src != "su" && !strings.Contains(src, "pam") &&
		src != "authd" && src != "opendirectoryd" {
		return false
	}
	msg := strings.ToLower(g.GetSampleMessage())
	return strings.Contains(msg, "failed password") || strings.Contains(msg, "invalid user") ||
		strings.Contains(msg, "authentication failure") || strings.Contains(msg, "failed publickey") ||
		strings.Contains(msg, "failed to authenticate") || strings.Contains(msg, "authentication failed")
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

// logonSource is the remote address of a failed-logon group: the agent's
// source_address, else the address in its sample message, else "".
func logonSource(g *agentv1.EventLogGroup) string {
	if a := strings.TrimSpace(g.GetSourceAddress()); a != "" && a != "-" {
		return truncate(a, 64)
	}
	return sourceAddress(g.GetSampleMessage())
}

// burstWindow is the time frame of the brute-force rules.
const burstWindow = 2 * time.Minute

// sourcePeak is the estimated peak of failed logons from one source.
type sourcePeak struct {
	source string
	peak   float64
	total  int64
	groups []int // indexes into the event logs
	first  time.Time
	last   time.Time
}

// peakPerSource groups failed logons by source address and estimates each
// source's peak number of failures in 2 minutes. Groups carry only a count
// and a time span, so:
//   - groups whose whole span fits in one 2-minute frame are added up (the
//     entries of adjacent collections from one source count together); that
//     sum is a lower bound of the true peak;
//   - a group spanning more than 2 minutes counts its mean rate
//     (count × 2 min / span), which understates a burst inside a long span;
//   - a group without times counts its whole count.
//
// Failures without a known source form one source, "".
func peakPerSource(e *env, logs []*agentv1.EventLogGroup) []sourcePeak {
	bySource := map[string]*sourcePeak{}
	var order []string
	for i, g := range logs {
		if !isFailedLogon(g) || !e.inWeek(g) {
			continue
		}
		src := logonSource(g)
		p, ok := bySource[src]
		if !ok {
			p = &sourcePeak{source: src}
			bySource[src] = p
			order = append(order, src)
		}
		p.groups = append(p.groups, i)
		p.total += g.GetCount()
		first, ok1 := tsOK(g.GetFirstTime())
		last, ok2 := tsOK(g.GetLastTime())
		if !ok1 || !ok2 || last.Before(first) {
			p.peak = max(p.peak, float64(g.GetCount()))
		} else if span := last.Sub(first); span > burstWindow {
			p.peak = max(p.peak, float64(g.GetCount())*float64(burstWindow)/float64(span))
		}
		if ok1 && (p.first.IsZero() || first.Before(p.first)) {
			p.first = first
		}
		if t := e.lastSeen(g); t.After(p.last) {
			p.last = t
		}
	}
	out := make([]sourcePeak, 0, len(order))
	for _, src := range order {
		p := bySource[src]
		// Sum the short groups that fit together in a 2-minute frame
		// starting at each short group's first entry.
		type span struct {
			first, last time.Time
			n           int64
		}
		var short []span
		for _, i := range p.groups {
			first, ok1 := tsOK(logs[i].GetFirstTime())
			last, ok2 := tsOK(logs[i].GetLastTime())
			if ok1 && ok2 && !last.Before(first) && last.Sub(first) <= burstWindow {
				short = append(short, span{first, last, logs[i].GetCount()})
			}
		}
		sort.Slice(short, func(a, b int) bool { return short[a].first.Before(short[b].first) })
		for a := range short {
			var n int64
			end := short[a].first.Add(burstWindow)
			for b := a; b < len(short) && !short[b].first.After(end); b++ {
				if !short[b].last.After(end) {
					n += short[b].n
				}
			}
			p.peak = max(p.peak, float64(n))
		}
		out = append(out, *p)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].peak != out[b].peak {
			return out[a].peak > out[b].peak
		}
		return out[a].total > out[b].total
	})
	return out
}

func sourceName(src string) string {
	if src == "" {
		return "unknown source"
	}
	return src
}

func checkFailedLogonBurst(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	logs := e.s.GetEventLogs()
	peaks := peakPerSource(e, logs)
	if len(peaks) == 0 {
		e.add(Finding{Status: Pass, Title: "No failed logons", Detail: "No failed logon events in the last 7 days.",
			Evidence: []Evidence{{"event groups read", fmt.Sprint(len(logs)), "event_logs"}}})
		return
	}
	p := peaks[0]
	g := logs[p.groups[0]]
	addrPath := groupSource(p.groups[0]) + ".source_address"
	if g.GetSourceAddress() == "" {
		addrPath = groupSource(p.groups[0]) + ".sample_message" // an older agent: the address in its message
	}
	ev := []Evidence{
		{"source address", sourceName(p.source), addrPath},
		{"peak rate (estimated)", fmt.Sprintf("%.1f per 2 min", p.peak), "event_logs[source_address]"},
		{"failed logons from this source", fmt.Sprint(p.total), "event_logs[source_address].count"},
		{"time span", fmt.Sprintf("%s – %s", fmtTime(p.first), fmtTime(p.last)), "event_logs[source_address].first_time/last_time"},
		{"event", groupLabel(g), groupSource(p.groups[0])},
	}
	if len(peaks) > 1 {
		var others []string
		for k, q := range peaks[1:] {
			if k == 3 {
				others = append(others, fmt.Sprintf("%d more", len(peaks)-4))
				break
			}
			others = append(others, fmt.Sprintf("%s (%d)", sourceName(q.source), q.total))
		}
		ev = append(ev, Evidence{"other sources", strings.Join(others, ", "), "event_logs[source_address]"})
	}
	from := "from " + sourceName(p.source)
	if p.source == "" {
		from = "from an unreported source"
	}
	e.graded(p.peak, Finding{
		Title: fmt.Sprintf("Failed logons at %.0f per 2 minutes %s", p.peak, from),
		Detail: fmt.Sprintf("%d failed logons %s between %s and %s (%s): a password-guessing attack when the rate is high.",
			p.total, from, fmtTime(p.first), fmtTime(p.last), groupLabel(g)),
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
	ev := []Evidence{{"failed logons", fmt.Sprint(total), "event_logs[].count"}}
	if peaks := peakPerSource(e, logs); len(peaks) > 0 {
		var top []string
		for k, p := range peaks {
			if k == 3 {
				break
			}
			top = append(top, fmt.Sprintf("%s (%d)", sourceName(p.source), p.total))
		}
		ev = append(ev, Evidence{"sources", fmt.Sprintf("%d: %s", len(peaks), strings.Join(top, ", ")), "event_logs[].source_address"})
	}
	ev = append(ev, evidenceForGroups(hits, logs, e)...)
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

var oomMessages = []string{"out of memory: kill", "oom-kill", "oom_kill_process", "killed process", "memory cgroup out of memory"}

// isOOMKill reports whether a group records processes killed for lack of
// memory.
func isOOMKill(g *agentv1.EventLogGroup) bool {
	src := strings.ToLower(g.GetSource())
	if g.GetEventId() == 2004 && strings.Contains(src, "resource-exhaustion-detector") {
		return true
	}
	if g.GetEventId() != 0 {
		return false
	}
	msg := strings.ToLower(g.GetSampleMessage())
	if strings.Contains(src, "systemd-oomd") {
		return strings.Contains(msg, "killed")
	}
	if !strings.Contains(src, "kernel") {
		return false
	}
	for _, k := range oomMessages {
		if strings.Contains(msg, k) && (k != "killed process" || strings.Contains(msg, "memory")) {
			return true
		}
	}
	return false
}

func checkOOMKills(e *env) {
	if !e.logsCollected() {
		e.unknown("", "The event-log collector failed.")
		return
	}
	logs := e.s.GetEventLogs()
	var hits []int
	var total int64
	newest := time.Time{}
	for i, g := range logs {
		if !isOOMKill(g) || !e.inWeek(g) || g.GetCount() <= 0 {
			continue
		}
		hits = append(hits, i)
		total += g.GetCount()
		if t := e.lastSeen(g); t.After(newest) {
			newest = t
		}
	}
	var mem []Evidence
	if samples := e.s.GetPerformance().GetMemoryPercent(); len(samples) > 0 {
		var sum float64
		for _, v := range samples {
			sum += v
		}
		mem = append(mem, Evidence{"memory use (mean of the last interval)", fmtPct(sum / float64(len(samples))), "performance.memory_percent"})
	}
	if len(hits) == 0 {
		e.add(Finding{Status: Pass, Title: "No out-of-memory kills", Detail: "No process was killed for lack of memory in the last 7 days.",
			Evidence: append([]Evidence{{"event groups read", fmt.Sprint(len(logs)), "event_logs"}}, mem...)})
		return
	}
	ev := append([]Evidence{
		{"out-of-memory kills", fmt.Sprint(total), "event_logs[].count"},
		{"last one", fmtTime(newest), "event_logs[].last_time"},
	}, mem...)
	ev = append(ev, evidenceForGroups(hits, logs, e)...)
	e.graded(float64(total), Finding{
		Title: fmt.Sprintf("%s in 7 days", plural(total, "out-of-memory kill", "out-of-memory kills")),
		Detail: fmt.Sprintf("Memory ran out and the system killed (or flagged) processes %s in the last 7 days, the last at %s; services may have stopped.",
			plural(total, "time", "times"), fmtTime(newest)),
		Evidence: ev,
		Recommendation: "Find the process that grows (the kill message names it and its size), fix its leak or limit it, " +
			"and add memory or swap if the workload needs it; check that killed services came back.",
	})
}
