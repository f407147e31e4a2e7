package analyzer

import (
	"slices"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/simulate"
)

// TestSimulatedFleet analyses a simulated fleet and checks that every
// problem the simulator plants is found by the check that owns it, and that
// no owning check fires on a machine without the problem (no false
// positives).
func TestSimulatedFleet(t *testing.T) {
	type rule struct {
		check     string
		owners    []simulate.Problem
		platforms []string // where the simulator plants it visibly; empty = all
		want      []Status // accepted when planted
	}
	bad := []Status{Warn, Fail}
	rules := []rule{
		{"storage.volume_free_space", []simulate.Problem{simulate.DiskNearlyFull}, nil, []Status{Fail}},
		{"storage.smart_health", []simulate.Problem{simulate.SmartFailing}, nil, []Status{Fail}},
		{"storage.smart_reallocated_sectors", []simulate.Problem{simulate.SmartFailing}, nil, []Status{Fail}},
		{"security.firewall", []simulate.Problem{simulate.FirewallOff}, nil, []Status{Fail}},
		{"system.services", []simulate.Problem{simulate.FirewallOff}, []string{"windows"}, []Status{Fail}},
		{"security.antivirus", []simulate.Problem{simulate.AntivirusStale}, []string{"windows", "macos"}, []Status{Fail}},
		{"system.pending_reboot", []simulate.Problem{simulate.PendingReboot}, nil, bad},
		{"security.missing_critical_updates", []simulate.Problem{simulate.MissingCritical}, nil, []Status{Fail}},
		{"security.last_update_age", []simulate.Problem{simulate.MissingCritical}, nil, bad},
		{"logs.disk_hardware_events", []simulate.Problem{simulate.DiskErrors, simulate.SmartFailing}, []string{"windows", "linux"}, []Status{Fail}},
		{"logs.app_crashes", []simulate.Problem{simulate.AppCrashes}, nil, bad},
		{"performance.cpu", []simulate.Problem{simulate.HighCPU}, nil, bad},
		{"performance.memory", []simulate.Problem{simulate.HighCPU}, nil, bad},
		{"security.disk_encryption", []simulate.Problem{simulate.NoEncryption}, nil, []Status{Warn}},
		{"hardware.battery_capacity", []simulate.Problem{simulate.WeakBattery}, nil, []Status{Fail}},
		{"logs.failed_logons", []simulate.Problem{simulate.FailedLogons}, []string{"windows", "linux"}, bad},
		{"system.uptime", []simulate.Problem{simulate.LongUptime}, nil, []Status{Fail}},
		{"security.hardening_index", []simulate.Problem{simulate.LowHardeningScore}, []string{"linux"}, bad},
		{"storage.array_health", []simulate.Problem{simulate.SmartFailing}, []string{"linux"}, []Status{Fail}},
	}
	fleet := simulate.Fleet(99, "T", 150)
	planted := map[string]int{}
	multiHigh := 0
	for _, m := range fleet {
		in := Input{Snapshot: m.Snapshot(goldenNow.Add(-5*time.Minute), 1), Now: goldenNow, Server: m.Profile.Server, ReceivedAt: goldenNow.Add(-4 * time.Minute)}
		r := mustAnalyze(t, in, Policy{})
		for _, ru := range rules {
			has := slices.ContainsFunc(ru.owners, m.Has)
			visible := len(ru.platforms) == 0 || slices.Contains(ru.platforms, m.Profile.Platform)
			if ru.check == "security.hardening_index" && m.Profile.Platform != "linux" {
				visible = false
			}
			if ru.check == "storage.array_health" && !m.Profile.Server { // only Linux servers have md mirrors
				visible = false
			}
			for _, f := range r.Findings {
				if f.CheckID != ru.check {
					continue
				}
				switch {
				case has && visible:
					if slices.Contains(ru.want, f.Status) {
						planted[ru.check]++
					} else {
						t.Errorf("%s %v: %s is %s (%s), want %v", m.Hostname, m.Problems, ru.check, f.Status, f.Title, ru.want)
					}
				case !has && (f.Status == Warn || f.Status == Fail):
					t.Errorf("%s %v: %s is %s (%s) without the problem", m.Hostname, m.Problems, ru.check, f.Status, f.Title)
				}
			}
		}
		if len(m.Problems) == 0 && r.Band == "critical" {
			t.Errorf("%s without problems is critical: %s", m.Hostname, r.CapReason)
		}
		if m.Has(simulate.SmartFailing) && r.Score > CapCritical {
			t.Errorf("%s with a failing disk scores %d", m.Hostname, r.Score)
		}
		// Several high failures in different domains: poor or worse, and
		// the device needs attention.
		highDomains := map[Domain]bool{}
		for _, f := range r.Findings {
			if f.Status == Fail && f.Severity == High && !f.Suppressed {
				highDomains[f.Domain] = true
			}
		}
		if len(highDomains) >= 2 {
			multiHigh++
			if r.Score > CapTwoHigh || !r.NeedsAttention {
				t.Errorf("%s fails high checks in %d domains but scores %d (%s)", m.Hostname, len(highDomains), r.Score, r.Band)
			}
		}
	}
	if multiHigh == 0 {
		t.Error("no simulated device fails high checks in two domains")
	}
	for _, ru := range rules {
		if planted[ru.check] == 0 {
			t.Errorf("the fleet never exercised %s", ru.check)
		}
	}
}
