package analyzer

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

var systemChecks = []check{
	{
		// Wegweiser default (OS end of life: warn, fail). Fail once the vendor's last
		// security update date has passed; warn in the last 180 days, enough
		// to plan an upgrade round. Dates: eol.go.
		info: CheckInfo{ID: "system.os_end_of_life", Domain: System, Title: "Operating system support",
			Unit: "days until end of security updates", Compare: "<", Warn: f64(180), Fail: f64(0),
			WarnSeverity: Medium, Severity: High,
			Source:      "Microsoft Lifecycle, Apple release history (N-2), Debian LTS, Ubuntu and RHEL life cycles; Wegweiser default (warn 180 days before the end)",
			Description: "Whether the installed OS version still gets security updates."},
		run: checkOSEndOfLife,
	},
	{
		// Wegweiser default (uptime > 30 days warn, > 90 days fail): monthly patches
		// need monthly restarts (Microsoft's Patch Tuesday cadence).
		info: CheckInfo{ID: "system.uptime", Domain: System, Title: "Uptime",
			Unit: "days", Compare: ">", Warn: f64(30), Fail: f64(90),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Monthly patch cycle (Patch Tuesday); Wegweiser default (30 / 90 days)",
			Description: "Time since the last boot."},
		run: checkUptime,
	},
	{
		// Wegweiser default (pending reboot > 3 days warn, > 14 days fail).
		info: CheckInfo{ID: "system.pending_reboot", Domain: System, Title: "Pending reboot",
			Unit: "days pending", Compare: ">", Warn: f64(3), Fail: f64(14),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Wegweiser default (3 / 14 days; Windows update, file rename and component servicing flags)",
			Description: "How long a reboot has been pending; the age comes from the agent, or from the last update install."},
		run: checkPendingReboot,
	},
	{
		// Services set to start automatically that are not running. Core
		// services (firewall, event log, time, DNS client, RPC on Windows;
		// journald, cron, sshd, auditd on Linux) fail; others warn.
		info: CheckInfo{ID: "system.services", Domain: System, Title: "Services that should run", Platforms: []string{"windows", "linux"},
			Unit: "core services stopped", Compare: ">=", Fail: f64(1),
			WarnSeverity: Low, Severity: Medium,
			Source:      "CIS Benchmarks (firewall, event log, audit and time services enabled); Wegweiser default",
			Description: "Automatic or enabled services that are stopped or failed: core services at or above the fail threshold fail, any other stopped automatic service warns."},
		run: checkServices,
	},
	{
		// Wegweiser default (agent silent > 3 check-in intervals warn, > 24 h fail).
		// Low severity: a laptop that is switched off is not sick; staleness
		// is shown beside the score (Result.Stale).
		info: CheckInfo{ID: "system.agent_checkin", Domain: System, Title: "Agent check-in",
			Unit: "minutes since the snapshot arrived", Compare: ">", Warn: f64(45), Fail: f64(1440),
			WarnSeverity: Info, Severity: Low,
			Source:      "Wegweiser default (3 × 15-minute check-in interval; 24 h)",
			Description: "Time between the last snapshot's arrival and the analysis."},
		run: checkAgentCheckin,
	},
	{
		// Kerberos rejects clocks more than 5 minutes apart (Microsoft:
		// "Maximum tolerance for computer clock synchronization"). Only a
		// device clock ahead of the server is judged: a snapshot spooled
		// offline arrives late but honest.
		info: CheckInfo{ID: "system.clock_ahead", Domain: System, Title: "Device clock",
			Unit: "minutes ahead of the server", Compare: ">", Warn: f64(5),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Microsoft Kerberos policy (maximum clock skew 5 minutes)",
			Description: "Whether the device's clock runs ahead of the server's."},
		run: checkClockAhead,
	},
	{
		// Failed collectors leave domains unknown; shown, never penalised.
		info: CheckInfo{ID: "system.collector_errors", Domain: System, Title: "Agent collectors",
			WarnSeverity: Info, Severity: Info,
			Source:      "Wegweiser default: reports which collectors failed (it explains coverage, not health, so it costs no points)",
			Description: "Collectors that failed in the snapshot."},
		run: checkCollectorErrors,
	},
}

func checkOSEndOfLife(e *env) {
	o := e.s.GetOs()
	desc := strings.TrimSpace(o.GetName() + " " + o.GetVersion())
	ev := []Evidence{{"operating system", orNone(desc), "os.name+os.version"}, {"build", orNone(o.GetBuild()), "os.build"}}
	sup, ok := lookupOSSupport(o)
	if !ok {
		e.unknown("", "The OS version is not in the end-of-support table.", ev...)
		return
	}
	left := days(sup.end.Sub(e.asOf))
	end := sup.end.Format("2006-01-02")
	ev = append(ev, Evidence{"end of security updates", end, "eol table: " + sup.product})
	if sup.note != "" {
		ev = append(ev, Evidence{"note", sup.note, "eol table"})
	}
	f := Finding{Evidence: ev}
	switch st, _ := e.level(left); st {
	case Fail:
		f.Status, f.Title = Fail, sup.product+" no longer gets security updates"
		f.Detail = fmt.Sprintf("%s reached the end of security updates on %s.", sup.product, end)
		f.Recommendation = "Upgrade to a supported release (feature update, in-place upgrade or reinstall); if the hardware cannot run one, replace it."
	case Warn:
		f.Status, f.Title = Warn, sup.product+" loses security updates soon"
		f.Detail = fmt.Sprintf("%s gets security updates until %s (%.0f days).", sup.product, end, left)
		f.Recommendation = "Schedule the upgrade to a supported release before " + end + "."
	default:
		f.Status, f.Title = Pass, sup.product+" is supported"
		f.Detail = fmt.Sprintf("%s gets security updates until %s.", sup.product, end)
	}
	e.add(f)
}

func checkUptime(e *env) {
	boot, ok := tsOK(e.s.GetOs().GetBootTime())
	if !ok {
		e.unknown("", "The boot time is not reported.")
		return
	}
	up := e.since(boot)
	e.graded(days(up), Finding{
		Title:  "Up for " + fmtDays(up),
		Detail: "The device last booted on " + fmtTime(boot) + ".",
		Evidence: []Evidence{
			{"uptime", fmtDays(up), "os.boot_time"},
			{"last boot", fmtTime(boot), "os.boot_time"},
		},
		Recommendation: "Restart the device in its next maintenance window so that installed updates take effect.",
	})
}

func checkPendingReboot(e *env) {
	pr := e.s.GetPendingReboot()
	if pr == nil {
		e.unknown("", "The snapshot does not say whether a reboot is pending.")
		return
	}
	if !pr.GetPending() {
		e.add(Finding{Status: Pass, Title: "No reboot pending", Detail: "The OS does not wait for a restart.",
			Evidence: []Evidence{{"pending", "false", "pending_reboot.pending"}}})
		return
	}
	reasons := strings.Join(pr.GetReasons(), ", ")
	ev := []Evidence{{"reasons", orNone(reasons), "pending_reboot.reasons"}}
	since, ok := tsOK(pr.GetSinceTime())
	src := "pending_reboot.since_time"
	if !ok {
		// The agent could not tell; an update installed since the last boot
		// is the likely cause and its install time the likely start.
		li, liOK := tsOK(e.s.GetPatches().GetLastInstallTime())
		boot, bootOK := tsOK(e.s.GetOs().GetBootTime())
		if liOK && bootOK && li.After(boot) {
			since, ok, src = li, true, "patches.last_install_time (after os.boot_time)"
		}
	}
	if !ok {
		e.add(Finding{Status: Pass, Title: "Reboot pending (age unknown)",
			Detail:   "A reboot is pending (" + orNone(reasons) + "), but since when is not known; it counts once it is older than the threshold.",
			Evidence: ev})
		return
	}
	age := e.since(since)
	ev = append(ev, Evidence{"pending for", fmtDays(age), src}, Evidence{"pending since", fmtTime(since), src})
	e.graded(days(age), Finding{
		Title:          "Reboot pending for " + fmtDays(age),
		Detail:         "The OS has waited for a restart since " + fmtTime(since) + " (" + orNone(reasons) + "); updates are not fully applied until then.",
		Evidence:       ev,
		Recommendation: "Restart the device (schedule it with the user or in the maintenance window).",
	})
}

// Core services: stopped while set to start automatically → fail.
var coreServicesWindows = []string{"mpssvc", "bfe", "eventlog", "dnscache", "cryptsvc", "winmgmt", "rpcss", "schedule"}
var coreServicesLinux = []string{"ssh", "sshd", "systemd-journald", "cron", "crond", "auditd", "rsyslog", "chronyd", "systemd-timesyncd", "ntp", "ntpd"}

// benignStopped are automatic Windows services that stop by design
// (trigger-start services and updaters that run, update and exit). They are
// glob patterns (path.Match) over the lower-case service name, so updaters
// that put their version into the name (GoogleUpdaterService128.0.6537.0,
// GoogleUpdaterInternalService…) and new .NET optimisation services still
// match.
var benignStopped = []string{
	// Browser and application updaters.
	"gupdate*", "googleupdater*", "edgeupdate*", "mozillamaintenance*", "brave", "bravem", "braveupdate*",
	"adobeupdateservice", "adobearmservice", "ccxprocess*",
	// .NET native image generation: runs after .NET updates, then stops.
	"clr_optimization_v*",
	// Windows trigger-start and delayed services.
	"mapsbroker", "sppsvc", "remoteregistry", "wbiosrvc", "trustedinstaller", "bits", "dosvc", "usosvc",
	"tiledatamodelsvc", "sysmain", "wuauserv", "waasmedicsvc", "uhssvc", "cdpsvc", "onesyncsvc", "shellhwdetection",
}

// isBenignStopped reports whether a stopped automatic service is expected
// to be stopped; per-user services (OneSyncSvc_1a2b3) match by their base
// name.
func isBenignStopped(name string) bool {
	name = strings.ToLower(name)
	base, _, _ := strings.Cut(name, "_")
	for _, p := range benignStopped {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(p, base); ok && base != name {
			return true
		}
	}
	return false
}

func checkServices(e *env) {
	svcs := e.s.GetServices()
	if len(svcs) == 0 {
		e.unknown("", "The snapshot lists no services.")
		return
	}
	win := e.platform() == "windows"
	var core, other []string
	for _, s := range svcs {
		name := strings.ToLower(strings.TrimSuffix(s.GetName(), ".service"))
		state := strings.ToLower(s.GetState())
		mode := strings.ToLower(s.GetStartMode())
		if state == "running" {
			continue
		}
		shown := s.GetName() + " (" + s.GetState() + ")"
		if win {
			if !strings.HasPrefix(mode, "auto") {
				continue
			}
			switch {
			case slices.Contains(coreServicesWindows, name):
				core = append(core, shown)
			case !isBenignStopped(name):
				other = append(other, shown)
			}
			continue
		}
		if mode != "enabled" {
			continue
		}
		switch {
		case slices.Contains(coreServicesLinux, name) && state != "exited":
			core = append(core, shown)
		case state == "failed":
			other = append(other, shown)
		}
	}
	ev := []Evidence{
		{"core services not running", orNone(strings.Join(core, ", ")), "services[].state"},
		{"other automatic services not running", orNone(strings.Join(other, ", ")), "services[].state"},
	}
	f := Finding{Evidence: ev}
	st, _ := e.level(float64(len(core)))
	switch {
	case st == Fail:
		f.Status, f.Title = Fail, "Core services are not running: "+strings.Join(core, ", ")
		f.Detail = "Services the OS needs for protection, logging or time are set to start automatically but are not running."
		f.Recommendation = "Start the services and set them to start automatically; if they stop again, check the System log or journal for why."
	case len(core)+len(other) > 0:
		f.Status, f.Title = Warn, "Automatic services are not running: "+strings.Join(append(core, other...), ", ")
		f.Detail = "Services set to start automatically are stopped or failed."
		f.Recommendation = "Check why the services stopped (System log / journalctl -u) and restart them, or set them to manual if they are not needed."
	default:
		f.Status, f.Title, f.Detail = Pass, "Automatic services are running", fmt.Sprintf("All %d listed services that should run are running.", len(svcs))
	}
	e.add(f)
}

func checkAgentCheckin(e *env) {
	if e.in.ReceivedAt.IsZero() {
		e.unknown("", "The arrival time of the snapshot is not known.")
		return
	}
	age := e.in.Now.Sub(e.in.ReceivedAt)
	if age < 0 {
		age = 0
	}
	e.graded(age.Minutes(), Finding{
		Title:  fmt.Sprintf("Last snapshot arrived %s ago", fmtAge(age)),
		Detail: "The last snapshot arrived at " + fmtTime(e.in.ReceivedAt) + ".",
		Evidence: []Evidence{
			{"last snapshot", fmtTime(e.in.ReceivedAt), "received_at"},
			{"silent for", fmtAge(age), "now − received_at"},
		},
		Recommendation: "Check that the device is on and online and that the Wegweiser agent service runs; reinstall the agent if it does not start.",
	})
}

func fmtAge(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%.0f min", d.Minutes())
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmtDays(d)
}

func checkClockAhead(e *env) {
	ct, ok := tsOK(e.s.GetCollectedTime())
	if !ok || e.in.ReceivedAt.IsZero() {
		e.unknown("", "The collection or arrival time is not known.")
		return
	}
	ahead := ct.Sub(e.in.ReceivedAt)
	if ahead < 0 {
		ahead = 0
	}
	e.graded(ahead.Minutes(), Finding{
		Title:  fmt.Sprintf("Device clock %.0f min ahead", ahead.Minutes()),
		Detail: "The snapshot says it was collected at " + fmtTime(ct) + " and arrived at " + fmtTime(e.in.ReceivedAt) + ".",
		Evidence: []Evidence{
			{"collected (device clock)", fmtTime(ct), "collected_time"},
			{"received (server clock)", fmtTime(e.in.ReceivedAt), "received_at"},
		},
		Recommendation: "Fix time synchronisation (w32tm /resync, chrony or systemd-timesyncd; the domain's PDC emulator) and the time zone.",
	})
}

func checkCollectorErrors(e *env) {
	errs := e.s.GetErrors()
	if len(errs) == 0 {
		e.add(Finding{Status: Pass, Title: "All collectors ran", Detail: "No collector reported an error."})
		return
	}
	var ev []Evidence
	var names []string
	for i, x := range errs {
		names = append(names, x.GetCollector())
		ev = append(ev, Evidence{x.GetCollector(), truncate(x.GetMessage(), 200), fmt.Sprintf("errors[%d]", i)})
	}
	e.add(Finding{Status: Warn, Title: "Collectors failed: " + strings.Join(names, ", "),
		Detail:         "Some data is missing from the snapshot, so checks that need it are unknown.",
		Evidence:       ev,
		Recommendation: "Check the agent's log on the device; most collector errors are missing permissions or tools (smartctl, lynis)."})
}

// truncate shortens untrusted text to n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}
