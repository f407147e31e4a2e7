package analyzer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var platformChecks = []check{
	{
		// Driver problems Windows logs: Kernel-PnP 219 (driver failed to load)
		// and 411 (device problem), Display 4101 (display driver stopped
		// responding and recovered, TDR), GPU driver errors (nvlddmkm,
		// amdkmdag); plus unsigned drivers from an osquery "drivers" result.
		info: CheckInfo{ID: "platform.windows_drivers", Domain: Platform, Title: "Windows driver problems", Platforms: []string{"windows"},
			Unit: "driver problem events in 7 days", Compare: ">=", Warn: f64(1), Fail: f64(10),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Microsoft event ids Kernel-PnP 219/411, Display 4101 (TDR); osquery drivers.signed",
			Description: "Drivers that failed to load, devices with problems, GPU driver resets and unsigned drivers."},
		run: checkWindowsDrivers,
	},
	{
		// Apple's vintage (5 years since last sold) and obsolete (7 years)
		// product policy, the same 5 / 7 years as hardware.age. The model year
		// comes from the model identifier (MacBookPro12,1 → 2015, table in
		// data/mac_models.tsv from Apple's "Identify your Mac" pages) or from
		// a year in the model name; it stands for the purchase year.
		info: CheckInfo{ID: "platform.mac_hardware_age", Domain: Platform, Title: "Mac hardware age", Platforms: []string{"macos"},
			Unit: "years since the model year", Compare: ">", Warn: f64(5), Fail: f64(7),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Apple vintage and obsolete products policy (5 / 7 years); model years from Apple's \"Identify your Mac\" pages (November 2026)",
			Description: "Age of the Mac from its model identifier's year (or the year in its model name)."},
		run: checkMacHardwareAge,
	},
	{
		// Apple fixes all known security issues only in the newest major
		// release ("Apple security releases": older releases get some fixes).
		// A newer major counts once it has been out 90 days (time to qualify
		// it); one major behind warns, two fail. Support end: system.os_end_of_life.
		info: CheckInfo{ID: "platform.macos_version_age", Domain: Platform, Title: "macOS version age", Platforms: []string{"macos"},
			Unit: "major releases behind the newest", Compare: ">=", Warn: f64(1), Fail: f64(2),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Apple security releases (only the latest major gets all fixes); 90-day grace for new majors",
			Description: "How many macOS major releases the Mac is behind."},
		run: checkMacOSVersionAge,
	},
}

func isDriverEvent(src string, id int64) (string, bool) {
	s := strings.ToLower(src)
	switch {
	case strings.Contains(s, "kernel-pnp") && (id == 219 || id == 411):
		return "Kernel-PnP " + strconv.FormatInt(id, 10), true
	case s == "display" && id == 4101:
		return "Display 4101 (driver reset)", true
	case (s == "nvlddmkm" || strings.HasPrefix(s, "amdkmd") || s == "amdwddmg" || s == "igfx") && id != 0:
		return src + " " + strconv.FormatInt(id, 10), true
	}
	return "", false
}

func checkWindowsDrivers(e *env) {
	if !e.logsCollected() && len(e.s.GetOsquery()) == 0 {
		e.unknown("", "The event-log collector failed.")
		return
	}
	var n int64
	var ev []Evidence
	for i, g := range e.s.GetEventLogs() {
		label, ok := isDriverEvent(g.GetSource(), g.GetEventId())
		if !ok || !e.inWeek(g) {
			continue
		}
		n += g.GetCount()
		ev = append(ev, Evidence{label, fmt.Sprintf("%d × %s", g.GetCount(), truncate(g.GetSampleMessage(), 120)), groupSource(i)})
	}
	var unsigned []string
	for i, q := range e.s.GetOsquery() {
		if !strings.Contains(strings.ToLower(q.GetName()), "driver") {
			continue
		}
		for _, r := range q.GetRows() {
			c := r.GetColumns()
			if sig, ok := c["signed"]; ok && sig == "0" {
				name := c["description"]
				if name == "" {
					name = c["image"]
				}
				unsigned = append(unsigned, name)
			}
		}
		if len(unsigned) > 0 {
			ev = append(ev, Evidence{"unsigned drivers", truncate(strings.Join(unsigned, ", "), 300), fmt.Sprintf("osquery[%d]", i)})
		}
	}
	n += int64(len(unsigned))
	if len(ev) == 0 {
		ev = []Evidence{{"driver problem events", "0", "event_logs"}}
	}
	e.graded(float64(n), Finding{
		Title:          plural(n, "driver problem", "driver problems") + " in 7 days",
		Detail:         "Drivers that failed to load, devices with problems, graphics driver resets and unsigned drivers.",
		Evidence:       ev,
		Recommendation: "Install the vendor's current drivers (chipset, storage, graphics) from the manufacturer's support page; check Device Manager for devices with a problem code.",
	})
}

// modelYear finds a four-digit year (2000–2099) in a Mac model name.
func modelYear(model string) (int, bool) {
	for i := len(model) - 4; i >= 0; i-- {
		if model[i] != '2' || model[i+1] != '0' {
			continue
		}
		if !isDigit(model[i+2]) || !isDigit(model[i+3]) {
			continue
		}
		if (i > 0 && isDigit(model[i-1])) || (i+4 < len(model) && isDigit(model[i+4])) {
			continue
		}
		y, _ := strconv.Atoi(model[i : i+4])
		return y, true
	}
	return 0, false
}

func checkMacHardwareAge(e *env) {
	model := e.s.GetHardware().GetModel()
	// The agent reports the model identifier ("MacBook Pro (MacBookPro12,1)");
	// the table in data/mac_models.tsv gives its year. A year in the model
	// name ("MacBook Air (M2, 2022)") is the fallback.
	y, id, name, ok := macModelYear(model)
	src := "hardware.model (data/mac_models.tsv: " + id + ")"
	if !ok {
		y, ok = modelYear(model)
		src = "hardware.model (model year)"
		if !ok {
			why := "The model name carries no model year."
			if id != "" {
				why = "The model identifier " + id + " is not in the Mac model table and the model name carries no year."
			}
			e.unknown("", why, Evidence{"model", orNone(model), "hardware.model"})
			return
		}
	}
	// Mid-year: Apple introduces models throughout the year.
	intro := time.Date(y, time.July, 1, 0, 0, 0, 0, time.UTC)
	years := days(e.since(intro)) / 365.25
	desc := model
	if name != "" {
		desc = name + " (" + id + ")"
	}
	e.graded(years, Finding{
		Title:  fmt.Sprintf("Mac from %d (%.1f years)", y, years),
		Detail: fmt.Sprintf("%s is a %d model; Apple calls Macs vintage 5 years and obsolete 7 years after they were last sold.", desc, y),
		Evidence: []Evidence{
			{"model", model, "hardware.model"},
			{"model year", strconv.Itoa(y), src},
			{"age", fmt.Sprintf("%.1f years", years), src},
		},
		Recommendation: "Put the Mac on the replacement plan: vintage and obsolete Macs lose hardware service and, soon after, new macOS releases.",
	})
}

func checkMacOSVersionAge(e *env) {
	v := e.s.GetOs().GetVersion()
	r, ok := macOSRelease(v)
	if !ok {
		e.unknown("", "The macOS version is not in the release table.", Evidence{"version", orNone(v), "os.version"})
		return
	}
	behind := 0
	newest := r
	after := false
	for _, x := range macOSReleases {
		if x.major == r.major {
			after = true
			continue
		}
		if after && mustDate(x.released).Add(90*24*time.Hour).Before(e.asOf) {
			behind++
			newest = x
		}
	}
	e.graded(float64(behind), Finding{
		Title:  fmt.Sprintf("macOS %s is %s behind", v, plural(int64(behind), "major release", "major releases")),
		Detail: fmt.Sprintf("The Mac runs macOS %s (%s, %s); the newest release counted is macOS %s %s.", v, r.name, r.released, newest.major, newest.name),
		Evidence: []Evidence{
			{"version", v, "os.version"},
			{"newest macOS", newest.major + " " + newest.name + " (" + newest.released + ")", "macOS release table"},
		},
		Recommendation: "Upgrade to macOS " + newest.major + " " + newest.name + " (check app compatibility first); if the Mac cannot run it, plan its replacement.",
	})
}
