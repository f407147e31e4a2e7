package analyzer

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var securityChecks = []check{
	{
		// Fail when the firewall is off on any profile; CIS Microsoft Windows
		// benchmarks 9.1.1 / 9.2.1 / 9.3.1 (firewall state on for the domain,
		// private and public profiles); CIS macOS 2.2.1; CIS Linux 3.5.
		info: CheckInfo{ID: "security.firewall", Domain: Security, Title: "Firewall",
			WarnSeverity: Medium, Severity: High,
			Source:      "CIS Windows 9.1.1/9.2.1/9.3.1, CIS macOS 2.2.1, CIS Linux 3.5",
			Description: "Whether the host firewall is on for every profile."},
		run: checkFirewall,
	},
	{
		// Antivirus missing or disabled: fail; CIS Controls v8 10.1/10.2
		// (deploy anti-malware, update its signatures automatically). Linux
		// without a product is unknown: anti-malware on Linux servers is a
		// policy choice. Freshness is judged per product:
		//   - Microsoft Defender: signatures older than 3 days fail. Microsoft
		//     publishes security intelligence updates several times a day
		//     ("Microsoft Defender Antivirus security intelligence and product
		//     updates"), so 3 days is a dozen missed releases; Defender's own
		//     "out of date" policy default (7 days) is laxer.
		//   - XProtect: Apple ships XProtect definition updates every few
		//     weeks, not daily (Apple security releases; XProtect version
		//     history as tracked by The Eclectic Light Company), so it fails
		//     only when its definitions are older than 60 days (xprotectMaxAge),
		//     two to three missed releases.
		//   - other products: their own up-to-date status when they report one,
		//     else their signature age against the 3-day threshold; neither
		//     reported → the product's freshness is unknown, not failed.
		info: CheckInfo{ID: "security.antivirus", Domain: Security, Title: "Antivirus",
			Unit: "days since signature update", Compare: ">", Fail: f64(3),
			WarnSeverity: Medium, Severity: High,
			Source:      "CIS Controls v8 10.1 / 10.2; Microsoft Defender security intelligence cadence (several a day): 3 days; XProtect's cadence (every few weeks): 60 days; other products: their own status",
			Description: "An antivirus product with real-time protection on and current signatures, judged by each product's own update cadence."},
		run: checkAntivirus,
	},
	{
		// Warn when disk encryption is off on workstations; NIST SP
		// 800-111 (storage encryption for end-user devices); CIS Controls v8
		// 3.6. Servers: shown with info severity, no points.
		info: CheckInfo{ID: "security.disk_encryption", Domain: Security, Title: "Disk encryption",
			WarnSeverity: Medium, Severity: High,
			Source:      "NIST SP 800-111; CIS Controls v8 3.6",
			Description: "BitLocker, FileVault or LUKS on the system volume."},
		run: checkEncryption,
	},
	{
		// Wegweiser default (screen lock > 30 min or none: warn). CIS is stricter
		// (Windows 2.3.7.3: 900 s; macOS 2.10.1: 20 min) — tighten by policy.
		info: CheckInfo{ID: "security.screen_lock", Domain: Security, Title: "Screen lock",
			Unit: "minutes idle before locking", Compare: ">", Warn: f64(30),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Wegweiser default (30 min); CIS Windows 2.3.7.3 (≤ 15 min) and CIS macOS 2.10.1 (≤ 20 min) are stricter",
			Description: "Whether the screen locks after a bounded idle time."},
		run: checkScreenLock,
	},
	{
		// Fail when a critical update is missing; CISA KEV / CIS Controls
		// v8 7.3 (automated OS patch management).
		info: CheckInfo{ID: "security.missing_critical_updates", Domain: Security, Title: "Missing critical and security updates",
			Unit: "critical or security updates missing", Compare: ">=", Fail: f64(1),
			WarnSeverity: Medium, Severity: High,
			Source:      "CIS Controls v8 7.3; CISA Known Exploited Vulnerabilities",
			Description: "Missing OS updates classified critical or security."},
		run: checkMissingCritical,
	},
	{
		// Warn when the last update is > 30 days old; a fail after 90 days =
		// three missed monthly cycles (CIS Controls v8 7.3: monthly or more
		// often).
		info: CheckInfo{ID: "security.last_update_age", Domain: Security, Title: "Last update install",
			Unit: "days since updates were installed", Compare: ">", Warn: f64(30), Fail: f64(90),
			WarnSeverity: Medium, Severity: High,
			Source:      "CIS Controls v8 7.3 (monthly patching): 30 days, and three missed cycles (90 days)",
			Description: "Time since the OS last installed updates."},
		run: checkLastUpdate,
	},
	{
		// CIS Controls v8 7.3; CIS Windows 18.10.93 (Configure Automatic
		// Updates: enabled); CIS macOS 1.2 / Ubuntu unattended-upgrades.
		info: CheckInfo{ID: "security.automatic_updates", Domain: Security, Title: "Automatic updates",
			WarnSeverity: Medium, Severity: Medium,
			Source:      "CIS Controls v8 7.3; CIS Windows (Configure Automatic Updates), CIS macOS 1.2",
			Description: "Whether the OS installs updates automatically."},
		run: checkAutoUpdates,
	},
	{
		// CIS Controls v8 5.4 (restrict administrator privileges to dedicated
		// accounts); more than three local administrators is rarely justified.
		info: CheckInfo{ID: "security.local_admins", Domain: Security, Title: "Local administrators",
			Unit: "accounts", Compare: ">", Warn: f64(3),
			WarnSeverity: Low, Severity: Medium,
			Source:      "CIS Controls v8 5.4; Wegweiser default (3)",
			Description: "Number of local administrator accounts."},
		run: checkLocalAdmins,
	},
	{
		// Microsoft: Secure Boot is a Windows 11 requirement and protects
		// against boot kits (NSA "UEFI Secure Boot customization" guidance).
		info: CheckInfo{ID: "security.secure_boot", Domain: Security, Title: "Secure Boot", Platforms: []string{"windows"},
			WarnSeverity: Low, Severity: Medium,
			Source:      "Microsoft Windows 11 requirements; NSA UEFI Secure Boot guidance",
			Description: "Whether UEFI Secure Boot is on (physical Windows machines)."},
		run: checkSecureBoot,
	},
	{
		// Remote root login and password logins in the OpenSSH server.
		// CIS benchmarks for Linux (Ubuntu, RHEL, Debian) and macOS: "Ensure
		// SSH root login is disabled" (PermitRootLogin no). Root reachable
		// with a password is the account every brute-force tool tries first:
		// fail, high. Password logins on a host with a public address are
		// exposed to the internet's constant guessing; CIS Controls v8 6.4
		// (require MFA, or keys, for remote network access): warn, medium.
		// Root login with keys only warns low; passwords on a LAN-only host
		// pass (a policy choice on internal networks).
		info: CheckInfo{ID: "security.ssh_server", Domain: Security, Title: "SSH server configuration", Platforms: []string{"linux", "macos"},
			WarnSeverity: Medium, Severity: High,
			Source:      "CIS Linux and macOS benchmarks (Ensure SSH root login is disabled); CIS Controls v8 6.4 (MFA or keys for remote access)",
			Description: "Whether the SSH server lets root log in, and lets anyone log in with a password on an internet-facing host."},
		run: checkSSHServer,
	},
	{
		// Wegweiser default (Lynis hardening index < 70 warn, < 50 fail). An
		// audit older than 30 days (auditMaxAge) or without a date is stale
		// evidence: unknown, not judged as current.
		info: CheckInfo{ID: "security.hardening_index", Domain: Security, Title: "Hardening audit (Lynis)",
			Unit: "hardening index", Compare: "<", Warn: f64(70), Fail: f64(50),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Lynis hardening index (CISOfy); Wegweiser default (70 / 50); audits older than 30 days are stale (monthly patch cycle, CIS Controls v8 7.3)",
			Description: "The hardening index of the last Lynis audit, when the audit is at most 30 days old."},
		run: checkHardening,
	},
}

func checkFirewall(e *env) {
	profiles := e.s.GetSecurity().GetFirewall()
	if len(profiles) == 0 {
		e.unknown("", "The snapshot has no firewall state.")
		return
	}
	var off []string
	var ev []Evidence
	for _, p := range profiles {
		state := "on"
		if !p.GetEnabled() {
			state = "off"
			off = append(off, p.GetProfile())
		}
		ev = append(ev, Evidence{"profile " + p.GetProfile(), state + " (" + p.GetProduct() + ")", fmt.Sprintf("security.firewall[%s].enabled", p.GetProfile())})
	}
	f := Finding{Evidence: ev}
	if len(off) > 0 {
		f.Status, f.Title = Fail, "Firewall is off: "+strings.Join(off, ", ")
		f.Detail = "The host firewall is disabled on " + plural(int64(len(off)), "profile", "profiles") + "; the device accepts unsolicited connections there."
		f.Recommendation = "Turn the firewall on for every profile (Group Policy / Intune for Windows, System Settings › Network › Firewall on macOS, ufw/nftables on Linux) and find out who or what turned it off."
	} else {
		f.Status, f.Title, f.Detail = Pass, "Firewall is on", "The host firewall is on for every profile."
	}
	e.add(f)
}

// xprotectMaxAge is how old XProtect's definitions may be: Apple ships them
// every few weeks, so 60 days is two to three missed releases.
const xprotectMaxAge = 60.0

// avKind tells how an antivirus product's freshness is judged.
func avKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "xprotect"):
		return "xprotect"
	case strings.Contains(n, "defender"):
		return "defender"
	}
	return "other"
}

// avVerdict is one product's state: good (protecting and current), a list
// of problems, or unknown freshness (protecting, age not reported).
type avVerdict struct {
	problems []string
	unknown  string
}

// judgeAV judges one product by its own cadence (see the catalogue entry).
func (e *env) judgeAV(a *agentv1.Antivirus) avVerdict {
	var v avVerdict
	if !a.GetEnabled() {
		v.problems = append(v.problems, "real-time protection off")
	}
	t, hasSig := tsOK(a.GetSignatureTime())
	age := days(e.since(t))
	switch avKind(a.GetName()) {
	case "xprotect":
		// The agent's own up_to_date guess is ignored: only the age counts.
		switch {
		case !hasSig:
			v.unknown = "definitions age not reported"
		case age > xprotectMaxAge:
			v.problems = append(v.problems, fmt.Sprintf("definitions %.0f days old (XProtect updates every few weeks; more than %.0f days means updates stopped)", age, xprotectMaxAge))
		}
	case "defender":
		// Windows agents always read Defender's own up-to-date state
		// (Get-MpComputerStatus, Security Center), so its flag counts.
		if !a.GetUpToDate() {
			v.problems = append(v.problems, "reports itself out of date")
		}
		if hasSig && e.hasFail && e.bad(age, e.failT) {
			v.problems = append(v.problems, fmt.Sprintf("signatures %.1f days old", age))
		}
	default:
		// Third-party products: their own status first.
		switch {
		case a.GetUpToDateReported() || a.GetUpToDate():
			if !a.GetUpToDate() {
				v.problems = append(v.problems, "reports itself out of date")
			}
		case hasSig:
			if e.hasFail && e.bad(age, e.failT) {
				v.problems = append(v.problems, fmt.Sprintf("signatures %.1f days old", age))
			}
		default:
			v.unknown = "reports neither its update status nor its signature age"
		}
	}
	return v
}

func checkAntivirus(e *env) {
	sec := e.s.GetSecurity()
	avs := sec.GetAntivirus()
	if sec == nil {
		e.unknown("", "The snapshot has no security section.")
		return
	}
	if len(avs) == 0 {
		if e.platform() == "linux" || e.platform() == "" {
			e.unknown("", "No antivirus reported; on Linux this is a policy choice and not judged.")
			return
		}
		e.add(Finding{Status: Fail, Title: "No antivirus",
			Detail:         "No antivirus product is registered on the device.",
			Evidence:       []Evidence{{"products", "(none)", "security.antivirus"}},
			Recommendation: "Install and enable the organisation's antivirus (or turn Microsoft Defender back on)."})
		return
	}
	var ev []Evidence
	var problems, unknowns []string
	good := false
	for _, a := range avs {
		src := fmt.Sprintf("security.antivirus[%s]", a.GetName())
		v := e.judgeAV(a)
		sig := "(not reported)"
		if t, ok := tsOK(a.GetSignatureTime()); ok {
			sig = fmt.Sprintf("%s (%.1f days old)", fmtTime(t), days(e.since(t)))
		}
		if a.GetSignatureVersion() != "" {
			sig = "version " + a.GetSignatureVersion() + ", " + sig
		}
		upToDate := "(not reported)"
		if a.GetUpToDateReported() || a.GetUpToDate() {
			upToDate = fmt.Sprint(a.GetUpToDate())
		}
		ev = append(ev,
			Evidence{a.GetName() + ": real-time protection", fmt.Sprint(a.GetEnabled()), src + ".enabled"},
			Evidence{a.GetName() + ": up to date", upToDate, src + ".up_to_date"},
			Evidence{a.GetName() + ": signatures", sig, src + ".signature_time"})
		switch {
		case len(v.problems) > 0:
			problems = append(problems, a.GetName()+": "+strings.Join(v.problems, ", "))
		case v.unknown != "":
			unknowns = append(unknowns, a.GetName()+": "+v.unknown)
		default:
			good = true
		}
	}
	f := Finding{Evidence: ev}
	switch {
	case good:
		f.Status, f.Title, f.Detail = Pass, "Antivirus is on and current", "At least one antivirus product has real-time protection on and current signatures."
		if len(problems) > 0 {
			f.Detail += " Also installed: " + strings.Join(problems, "; ") + "."
		}
	case len(unknowns) > 0:
		f.Status, f.Title = Unknown, "Antivirus is on; whether it is current is not known"
		f.Detail = strings.Join(append(unknowns, problems...), "; ") + "."
	default:
		f.Status, f.Title = Fail, "Antivirus is not protecting the device"
		f.Detail = strings.Join(problems, "; ") + "."
		f.Recommendation = "Turn real-time protection on and update the signatures now (Update-MpSignature or the vendor console; on a Mac, turn on System Settings › General › Software Update › Automatic Updates › Install Security Responses and system files, and on macOS 15 or later run sudo xprotect update); find out why updates stopped (proxy, licence, disk space)."
	}
	e.add(f)
}

func checkEncryption(e *env) {
	enc := e.s.GetSecurity().GetEncryption()
	if enc == nil {
		e.unknown("", "The snapshot has no disk encryption state.")
		return
	}
	ev := []Evidence{
		{"encrypted", fmt.Sprint(enc.GetEnabled()), "security.encryption.enabled"},
		{"method", orNone(enc.GetMethod()), "security.encryption.method"},
		{"status", orNone(enc.GetStatus()), "security.encryption.status"},
	}
	status := strings.ToLower(enc.GetStatus())
	f := Finding{Evidence: ev}
	method := map[string]string{"windows": "BitLocker", "macos": "FileVault", "linux": "LUKS"}[e.platform()]
	if method == "" {
		method = "disk encryption"
	}
	switch {
	case !enc.GetEnabled():
		f.Status, f.Title = Warn, "System disk is not encrypted"
		f.Detail = "The system volume is not encrypted; a lost or stolen device exposes its data."
		f.Recommendation = "Turn on " + method + " and escrow the recovery key (Intune, Active Directory, your MDM or password manager)."
		if e.server {
			f.Severity = Info
			f.Detail = "The system volume of this server is not encrypted; not required for servers by the default policy."
		}
	case strings.Contains(status, "suspend") || strings.Contains(status, "protection off"):
		f.Status, f.Title = Warn, "Disk encryption is suspended"
		f.Detail = "The volume is encrypted but protection is suspended, so the key is stored in the clear."
		f.Recommendation = "Resume protection (manage-bde -protectors -enable C:) once the firmware or OS update that suspended it is done."
		if e.server {
			f.Severity = Info
		}
	default:
		f.Status, f.Title, f.Detail = Pass, "System disk is encrypted", "The system volume is encrypted ("+orNone(enc.GetMethod())+")."
	}
	e.add(f)
}

func checkScreenLock(e *env) {
	sl := e.s.GetSecurity().GetScreenLock()
	if sl == nil {
		e.unknown("", "The snapshot has no screen lock state.")
		return
	}
	ev := []Evidence{{"enabled", fmt.Sprint(sl.GetEnabled()), "security.screen_lock.enabled"}}
	rec := "Set the idle lock to 15 minutes or less (Group Policy \"Interactive logon: Machine inactivity limit\", a macOS configuration profile, or the desktop's settings)."
	if !sl.GetEnabled() {
		e.add(Finding{Status: Warn, Title: "No screen lock", Detail: "The screen does not lock when the device is left idle.",
			Evidence: ev, Recommendation: rec})
		return
	}
	if sl.GetTimeoutSeconds() <= 0 {
		e.add(Finding{Status: Pass, Title: "Screen lock on (timeout not reported)", Detail: "A screen lock is configured; its timeout is not reported.", Evidence: ev})
		return
	}
	mins := float64(sl.GetTimeoutSeconds()) / 60
	ev = append(ev, Evidence{"timeout", fmt.Sprintf("%s min", fmtNum(mins)), "security.screen_lock.timeout_seconds"})
	e.graded(mins, Finding{
		Title:          fmt.Sprintf("Screen locks after %s min", fmtNum(mins)),
		Detail:         fmt.Sprintf("The screen locks after %s minutes idle.", fmtNum(mins)),
		Evidence:       ev,
		Recommendation: rec,
	})
}

func isCriticalUpdate(class string) bool {
	c := strings.ToLower(class)
	return strings.Contains(c, "critical") || strings.Contains(c, "security")
}

// updateName names a missing update for people: its title (the package name
// on Linux, the update title on Windows and macOS) with its id (a package
// version, a KB number) when the title does not already carry it:
// "openssl 3.0.15-1~deb12u1", "… Cumulative Update … (KB5046633)".
func updateName(m *agentv1.MissingUpdate) string {
	title, id := strings.TrimSpace(m.GetTitle()), strings.TrimSpace(m.GetId())
	switch {
	case title == "":
		return id
	case id == "" || strings.Contains(title, id):
		return title
	case isDigit(id[0]) || strings.HasPrefix(strings.ToUpper(id), "KB"):
		return title + " " + id
	}
	// A product label (softwareupdate's "Safari17.6SonomaAuto-17.6"): the
	// title already names the update.
	return title
}

func checkMissingCritical(e *env) {
	p := e.s.GetPatches()
	if p == nil {
		e.unknown("", "The snapshot has no update state.")
		return
	}
	var list []string
	var oldest float64
	for _, m := range p.GetMissing() {
		if !isCriticalUpdate(m.GetClassification()) {
			continue
		}
		list = append(list, updateName(m))
		if t, ok := tsOK(m.GetPublishedTime()); ok {
			oldest = max(oldest, days(e.since(t)))
		}
	}
	shown := list
	if len(shown) > 5 {
		shown = append(shown[:5:5], fmt.Sprintf("… %d more", len(list)-5))
	}
	ev := []Evidence{
		{"critical/security updates missing", fmt.Sprint(len(list)), "patches.missing[].classification"},
		{"missing updates (all)", fmt.Sprint(len(p.GetMissing())), "patches.missing"},
	}
	if len(list) > 0 {
		ev = append(ev, Evidence{"updates", strings.Join(shown, ", "), "patches.missing[].title"})
	}
	if oldest > 0 {
		ev = append(ev, Evidence{"oldest published", fmt.Sprintf("%.0f days ago", oldest), "patches.missing[].published_time"})
	}
	e.graded(float64(len(list)), Finding{
		Title:          fmt.Sprintf("%s missing", plural(int64(len(list)), "critical or security update", "critical or security updates")),
		Detail:         fmt.Sprintf("%s classified critical or security %s not installed.", plural(int64(len(list)), "update", "updates"), map[bool]string{true: "is", false: "are"}[len(list) == 1]),
		Evidence:       ev,
		Recommendation: "Install the missing updates now (Windows Update / WSUS / your RMM's patch policy, softwareupdate, apt/dnf) and restart.",
	})
}

func checkLastUpdate(e *env) {
	t, ok := tsOK(e.s.GetPatches().GetLastInstallTime())
	if !ok {
		e.unknown("", "The time of the last update install is not reported.")
		return
	}
	age := e.since(t)
	e.graded(days(age), Finding{
		Title:          "Updates last installed " + fmtDays(age) + " ago",
		Detail:         "The OS last installed updates on " + fmtTime(t) + ".",
		Evidence:       []Evidence{{"last install", fmtTime(t) + " (" + fmtDays(age) + " ago)", "patches.last_install_time"}},
		Recommendation: "Find out why updates stopped (paused, failing, WSUS approval, no maintenance window) and install the pending ones.",
	})
}

func checkAutoUpdates(e *env) {
	p := e.s.GetPatches()
	if p == nil {
		e.unknown("", "The snapshot has no update state.")
		return
	}
	ev := []Evidence{{"automatic updates", fmt.Sprint(p.GetAutomaticUpdates()), "patches.automatic_updates"}}
	if p.GetAutomaticUpdates() {
		e.add(Finding{Status: Pass, Title: "Automatic updates on", Detail: "The OS installs updates automatically.", Evidence: ev})
		return
	}
	e.add(Finding{Status: Warn, Title: "Automatic updates off", Detail: "The OS does not install updates by itself; they depend on someone remembering.",
		Evidence:       ev,
		Recommendation: "Turn automatic updates on, or make sure the RMM's patch policy covers this device (then suppress this check by policy)."})
}

func checkLocalAdmins(e *env) {
	admins := e.s.GetSecurity().GetLocalAdmins()
	if len(admins) == 0 {
		e.unknown("", "Local administrators are not reported.")
		return
	}
	e.graded(float64(len(admins)), Finding{
		Title:          plural(int64(len(admins)), "local administrator", "local administrators"),
		Detail:         "Accounts with local administrator rights: " + strings.Join(admins, ", ") + ".",
		Evidence:       []Evidence{{"administrators", fmt.Sprintf("%d: %s", len(admins), strings.Join(admins, ", ")), "security.local_admins"}},
		Recommendation: "Remove administrator rights from everyday user accounts; use LAPS or a privileged-access tool for support.",
	})
}

func checkSecureBoot(e *env) {
	if e.s.GetSecurity() == nil {
		e.unknown("", "The snapshot has no security section.")
		return
	}
	if e.s.GetHardware().GetVirtual() {
		e.unknown("", "Virtual machine: Secure Boot depends on the VM generation.")
		return
	}
	ev := []Evidence{{"secure boot", fmt.Sprint(e.s.GetSecurity().GetSecureBoot()), "security.secure_boot"}}
	if e.s.GetSecurity().GetSecureBoot() {
		e.add(Finding{Status: Pass, Title: "Secure Boot on", Detail: "UEFI Secure Boot is on.", Evidence: ev})
		return
	}
	e.add(Finding{Status: Warn, Title: "Secure Boot off", Detail: "UEFI Secure Boot is off, so boot kits can load before Windows.",
		Evidence: ev, Recommendation: "Turn Secure Boot on in the UEFI setup (convert the disk to GPT with mbr2gpt first if needed)."})
}

// auditMaxAge is how old, in days, a hardening audit may be and still count
// as evidence of the current state: a month covers a monthly patch cycle
// (CIS Controls v8 7.3) and the configuration drift around it; CISOfy
// recommends running Lynis from cron daily or weekly, so an older report
// means the schedule stopped.
const auditMaxAge = 30.0

func checkHardening(e *env) {
	h := e.s.GetHardening()
	if h == nil {
		e.unknown("", "No hardening audit (Lynis) in the snapshot.")
		return
	}
	idx := h.GetHardeningIndex()
	ev := []Evidence{
		{"hardening index", fmt.Sprint(idx), "hardening.hardening_index"},
		{"tool", strings.TrimSpace(h.GetTool() + " " + h.GetVersion()), "hardening.tool"},
		{"warnings", fmt.Sprint(len(h.GetWarnings())), "hardening.warnings"},
		{"suggestions", fmt.Sprint(len(h.GetSuggestions())), "hardening.suggestions"},
	}
	detail := fmt.Sprintf("The last audit scored %d with %s and %s.", idx,
		plural(int64(len(h.GetWarnings())), "warning", "warnings"), plural(int64(len(h.GetSuggestions())), "suggestion", "suggestions"))
	tool := orNone(h.GetTool())
	t, ok := tsOK(h.GetAuditTime())
	if !ok {
		e.unknown("", "The "+tool+" report does not say when the audit ran, so it cannot be told current.", ev...)
		return
	}
	age := e.since(t)
	ev = append(ev, Evidence{"audit time", fmtTime(t) + " (" + fmtDays(age) + " ago)", "hardening.audit_time"})
	if days(age) > auditMaxAge {
		e.add(Finding{Status: Unknown,
			Title: fmt.Sprintf("Hardening audit is stale (%s old)", fmtDays(age)),
			Detail: fmt.Sprintf("The last %s audit ran on %s, more than %.0f days ago; its index of %d says little about the system today. "+
				"Re-run the audit regularly (lynis audit system --cronjob from cron or a systemd timer, weekly).", tool, fmtTime(t), auditMaxAge, idx),
			Evidence: ev})
		return
	}
	e.graded(float64(idx), Finding{
		Title:          fmt.Sprintf("Hardening index %d", idx),
		Detail:         detail,
		Evidence:       ev,
		Recommendation: "Work through the Lynis warnings first, then the suggestions (lynis show details <ID>); re-run the audit to confirm.",
	})
}

// publicAddress reports whether an interface address ("203.0.113.20/24")
// makes the host internet-facing: a global unicast IPv4 address, not
// private (RFC 1918) and not shared address space (100.64.0.0/10, carrier
// NAT). Global IPv6 addresses do not count: office and home routers block
// inbound IPv6 by default, so nearly every laptop would look exposed.
func publicAddress(a string) bool {
	ip, err := netip.ParsePrefix(a)
	addr := ip.Addr()
	if err != nil {
		if addr, err = netip.ParseAddr(a); err != nil {
			return false
		}
	}
	addr = addr.Unmap()
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	return addr.Is4() && addr.IsGlobalUnicast() && !addr.IsPrivate() && !cgnat.Contains(addr)
}

// sshExposed reports whether the SSH server listens on a public address of
// the host, and which one.
func (e *env) sshExposed(ssh *agentv1.SshServer) (string, bool) {
	var public []string
	for _, ifc := range e.s.GetNetwork().GetInterfaces() {
		if !ifc.GetUp() {
			continue
		}
		for _, a := range ifc.GetAddresses() {
			if publicAddress(a) {
				ip, _, _ := strings.Cut(a, "/")
				public = append(public, ip)
			}
		}
	}
	if len(public) == 0 {
		return "", false
	}
	listen := ssh.GetListenAddresses()
	if len(listen) == 0 {
		return public[0], true
	}
	for _, l := range listen {
		host := l
		if h, _, err := net.SplitHostPort(l); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		if host == "0.0.0.0" || host == "::" || host == "*" {
			return public[0], true
		}
		for _, p := range public {
			if host == p {
				return p, true
			}
		}
	}
	return "", false
}

func checkSSHServer(e *env) {
	ssh := e.s.GetSecurity().GetSshServer()
	if ssh == nil {
		e.unknown("", "No SSH server configuration reported (no SSH server installed, or an agent that does not read it).")
		return
	}
	passwords := ssh.GetPasswordAuthentication() || (ssh.GetKbdInteractiveAuthentication() && ssh.GetUsePam())
	ev := []Evidence{
		{"running", fmt.Sprint(ssh.GetRunning()), "security.ssh_server.running"},
		{"PermitRootLogin", orNone(ssh.GetPermitRootLogin()), "security.ssh_server.permit_root_login"},
		{"PasswordAuthentication", fmt.Sprint(ssh.GetPasswordAuthentication()), "security.ssh_server.password_authentication"},
		{"KbdInteractiveAuthentication (with UsePAM)", fmt.Sprintf("%v (UsePAM %v)", ssh.GetKbdInteractiveAuthentication(), ssh.GetUsePam()), "security.ssh_server.kbd_interactive_authentication"},
		{"read from", orNone(ssh.GetSource()), "security.ssh_server.source"},
	}
	public, exposed := e.sshExposed(ssh)
	if exposed {
		ev = append(ev, Evidence{"reachable on public address", public, "network.interfaces[].addresses, security.ssh_server.listen_addresses"})
	}
	f := Finding{Evidence: ev}
	root := strings.ToLower(ssh.GetPermitRootLogin())
	keysRec := "Set PermitRootLogin no and PasswordAuthentication no (and KbdInteractiveAuthentication no) in sshd_config or a file in sshd_config.d that is read first, log in with keys as a named user and use sudo; then reload sshd."
	switch {
	case !ssh.GetRunning():
		f.Status, f.Title, f.Detail = Pass, "SSH server is not running", "An SSH server is installed but not running; its configuration is shown for reference."
	case root == "yes" && passwords:
		f.Status, f.Title = Fail, "Root can log in over SSH with a password"
		f.Detail = "PermitRootLogin is yes and password logins are on: the root account, the first one every brute-force tool tries, is one guessed password away."
		if exposed {
			f.Detail += " The server is reachable on the public address " + public + "."
		}
		f.Recommendation = keysRec
	case passwords && exposed:
		f.Status, f.Title = Warn, "SSH accepts passwords on an internet-facing host"
		f.Detail = "Password logins are on and the SSH server listens on the public address " + public + ", where passwords are guessed around the clock."
		f.Recommendation = "Use keys (or keys plus a second factor) for SSH: set PasswordAuthentication no and KbdInteractiveAuthentication no, or restrict SSH to a VPN or management network (ListenAddress, firewall)."
	case root == "yes":
		f.Status, f.Severity, f.Title = Warn, Low, "Root can log in over SSH (with keys)"
		f.Detail = "PermitRootLogin is yes; passwords are off, so root needs a key, but logins as root leave no trace of who it was."
		f.Recommendation = keysRec
	default:
		f.Status, f.Title = Pass, "SSH server allows no root or internet password logins"
		f.Detail = "Root cannot log in with a password"
		if passwords {
			f.Detail += "; password logins are on, but the host has no public address the server listens on."
		} else {
			f.Detail += " and password logins are off."
		}
	}
	e.add(f)
}
