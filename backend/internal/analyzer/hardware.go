package analyzer

import (
	"fmt"
	"strings"
)

var hardwareChecks = []check{
	{
		// Wegweiser default (warn < 80 %, fail < 60 %). 80 % is where Apple marks a
		// battery "Service Recommended" and where most laptop warranties
		// define a worn battery.
		info: CheckInfo{ID: "hardware.battery_capacity", Domain: Hardware, Title: "Battery capacity",
			Unit: "% of design capacity", Compare: "<", Warn: f64(80), Fail: f64(60),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Apple battery service threshold (80 % of original capacity); Wegweiser default 60 % for replacement",
			Description: "Full-charge capacity of the laptop battery against its design capacity."},
		run: checkBattery,
	},
	{
		// Wegweiser default (hardware older than 5 years warn, 7 years fail). The BIOS
		// release date is a lower bound for the machine's age. Macs are judged
		// by platform.mac_hardware_age instead.
		info: CheckInfo{ID: "hardware.age", Domain: Hardware, Title: "Hardware age", Platforms: []string{"windows", "linux"},
			Unit: "years", Compare: ">", Warn: f64(5), Fail: f64(7),
			WarnSeverity: Low, Severity: Medium,
			Source:      "Common 5-year business hardware life cycle; Wegweiser default (5 / 7 years)",
			Description: "Machine age, at least the age of its BIOS release date."},
		run: checkHardwareAge,
	},
	{
		// Firmware carries security fixes (e.g. CPU microcode, LogoFAIL,
		// Secure Boot revocations); a BIOS older than three years has missed
		// several vendor release cycles. NIST SP 800-193 (platform firmware
		// resiliency) and SP 800-147 ask for authenticated firmware updates.
		info: CheckInfo{ID: "hardware.firmware_age", Domain: Hardware, Title: "Firmware (BIOS) age", Platforms: []string{"windows", "linux"},
			Unit: "years since BIOS release", Compare: ">", Warn: f64(3),
			WarnSeverity: Low, Severity: Medium,
			Source:      "NIST SP 800-193 / 800-147 (keep platform firmware updated); Wegweiser default 3 years",
			Description: "Release date of the installed BIOS/UEFI firmware."},
		run: checkFirmwareAge,
	},
}

// batteryConditionBad are OS battery states that ask for service.
var batteryConditionBad = []string{"service recommended", "replace soon", "replace now", "service battery", "check battery", "poor"}

func checkBattery(e *env) {
	b := e.s.GetHardware().GetBattery()
	if b == nil {
		e.unknown("", "No battery reported (desktop, server or virtual machine).")
		return
	}
	if b.GetDesignCapacityMwh() <= 0 || b.GetFullChargeCapacityMwh() <= 0 {
		e.unknown("", "The battery does not report its design and full-charge capacity.",
			Evidence{"condition", orNone(b.GetCondition()), "hardware.battery.condition"})
		return
	}
	pct := float64(b.GetFullChargeCapacityMwh()) * 100 / float64(b.GetDesignCapacityMwh())
	ev := []Evidence{
		{"capacity", fmt.Sprintf("%s (%d of %d mWh)", fmtPct(pct), b.GetFullChargeCapacityMwh(), b.GetDesignCapacityMwh()), "hardware.battery.full_charge_capacity_mwh"},
		{"charge cycles", fmt.Sprint(b.GetCycleCount()), "hardware.battery.cycle_count"},
		{"condition", orNone(b.GetCondition()), "hardware.battery.condition"},
	}
	f := Finding{
		Title:          "Battery holds " + fmtPct(pct) + " of its design capacity",
		Detail:         fmt.Sprintf("The battery holds %d of %d mWh after %d charge cycles.", b.GetFullChargeCapacityMwh(), b.GetDesignCapacityMwh(), b.GetCycleCount()),
		Evidence:       ev,
		Recommendation: "Replace the battery (warranty or service provider); a worn battery shortens runtime and can swell.",
	}
	st, _ := e.level(pct)
	cond := strings.ToLower(b.GetCondition())
	if st == Pass {
		for _, c := range batteryConditionBad {
			if strings.Contains(cond, c) {
				st = Warn
				f.Detail += " The operating system reports the battery as \"" + b.GetCondition() + "\"."
				break
			}
		}
	}
	f.Status = st
	e.add(f)
}

// biosAge returns the age of the BIOS release date in years.
func (e *env) biosAge() (years float64, date string, ok bool) {
	date = e.s.GetHardware().GetBiosDate()
	t, ok := parseDate(date)
	if !ok {
		return 0, date, false
	}
	return days(e.since(t)) / 365.25, date, true
}

func checkHardwareAge(e *env) {
	if e.platform() == "macos" {
		e.unknown("", "Mac hardware age is judged by platform.mac_hardware_age.")
		return
	}
	if e.s.GetHardware().GetVirtual() {
		e.unknown("", "Virtual machine: the firmware date says nothing about the hardware.")
		return
	}
	years, date, ok := e.biosAge()
	if !ok {
		e.unknown("", "The BIOS release date is not reported.", Evidence{"BIOS date", orNone(date), "hardware.bios_date"})
		return
	}
	hw := e.s.GetHardware()
	e.graded(years, Finding{
		Title:  fmt.Sprintf("Hardware is at least %.1f years old", years),
		Detail: fmt.Sprintf("%s %s has a BIOS released on %s, so the machine is at least that old.", hw.GetManufacturer(), hw.GetModel(), date),
		Evidence: []Evidence{
			{"BIOS date", date, "hardware.bios_date"},
			{"age", fmt.Sprintf("%.1f years", years), "hardware.bios_date"},
			{"model", strings.TrimSpace(hw.GetManufacturer() + " " + hw.GetModel()), "hardware.model"},
		},
		Recommendation: "Put the machine on the replacement plan; check whether its vendor warranty and firmware support have ended.",
	})
}

func checkFirmwareAge(e *env) {
	if e.platform() == "macos" {
		e.unknown("", "Mac firmware is updated with macOS (see platform checks).")
		return
	}
	if e.s.GetHardware().GetVirtual() {
		e.unknown("", "Virtual machine: firmware is the hypervisor's.")
		return
	}
	years, date, ok := e.biosAge()
	if !ok {
		e.unknown("", "The BIOS release date is not reported.", Evidence{"BIOS date", orNone(date), "hardware.bios_date"})
		return
	}
	hw := e.s.GetHardware()
	e.graded(years, Finding{
		Title:  fmt.Sprintf("BIOS %s is %.1f years old", orNone(hw.GetBiosVersion()), years),
		Detail: fmt.Sprintf("The installed firmware (%s %s) was released on %s.", hw.GetBiosVendor(), hw.GetBiosVersion(), date),
		Evidence: []Evidence{
			{"BIOS version", orNone(hw.GetBiosVersion()), "hardware.bios_version"},
			{"BIOS date", date, "hardware.bios_date"},
		},
		Recommendation: "Check the vendor's support page for " + strings.TrimSpace(hw.GetManufacturer()+" "+hw.GetModel()) +
			" and install the latest BIOS/UEFI update; if there is none, the model is out of firmware support.",
	})
}
