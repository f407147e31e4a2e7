package analyzer

import (
	"bytes"
	"errors"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// corpusInput loads one named fixture of the corpus.
func corpusInput(t testing.TB, name string) Input {
	t.Helper()
	for _, e := range loadCorpus(t) {
		if e.Name == name {
			return inputFor(t, e)
		}
	}
	t.Fatalf("no fixture %q", name)
	return Input{}
}

func mustAnalyze(t testing.TB, in Input, p Policy) Result {
	t.Helper()
	r, err := Analyze(in, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// finding returns the first finding of a check (with the subject, when given).
func finding(t testing.TB, r Result, id string, subject ...string) Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.CheckID == id && (len(subject) == 0 || f.Subject == subject[0]) {
			return f
		}
	}
	t.Fatalf("no finding %s %v", id, subject)
	return Finding{}
}

func hasFinding(r Result, id string) bool {
	for _, f := range r.Findings {
		if f.CheckID == id {
			return true
		}
	}
	return false
}

// TestCorpusOutcomes pins what the brief requires of the named fixtures,
// independently of the goldens.
func TestCorpusOutcomes(t *testing.T) {
	cases := []struct {
		name      string
		band      Band
		maxScore  int
		minScore  int
		failing   []string // checks that must warn or fail
		capPrefix string
	}{
		{name: "windows-workstation-healthy", band: "healthy", minScore: 95, maxScore: 100},
		{name: "windows-server-healthy", band: "healthy", minScore: 95, maxScore: 100},
		{name: "linux-fresh-healthy", band: "healthy", minScore: 95, maxScore: 100},
		// A failing disk, a nearly full volume and disk errors: critical,
		// and the reason names the disk as people read it.
		{name: "windows-laptop-failing-disk", band: "critical", maxScore: CapCritical, minScore: 1,
			failing:   []string{"storage.smart_health", "storage.volume_free_space", "logs.disk_hardware_events", "storage.smart_reallocated_sectors", "hardware.battery_capacity"},
			capPrefix: "Critical: Disk 0 is failing"},
		// Model 2026.12: an unsupported macOS (high) with FileVault off and an
		// old Mac adds up to poor; the old model held every high finding at
		// exactly 70 (fair).
		{name: "mac-filevault-off-old-macos", band: "poor", maxScore: 69, minScore: 50,
			failing:   []string{"security.disk_encryption", "system.os_end_of_life", "platform.macos_version_age", "platform.mac_hardware_age", "security.screen_lock"},
			capPrefix: "High: macOS 13 Ventura no longer gets security updates"},
		// Model 2026.12: a server missing critical updates while a brute-force
		// attack runs (two high failures) plus end-of-life software and a
		// weak hardening index is critical; the old model said 70 (fair).
		{name: "linux-server-lynis-ssh", band: "critical", maxScore: 49, minScore: 1,
			failing:   []string{"security.hardening_index", "logs.failed_logon_burst", "logs.failed_logons", "security.missing_critical_updates", "software.end_of_life"},
			capPrefix: "High: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustAnalyze(t, corpusInput(t, c.name), Policy{})
			if r.Band != c.band || r.Score > c.maxScore || r.Score < c.minScore {
				t.Errorf("score %d band %s, want %s in [%d, %d]", r.Score, r.Band, c.band, c.minScore, c.maxScore)
			}
			for _, id := range c.failing {
				if f := finding(t, r, id); f.Status != Warn && f.Status != Fail {
					t.Errorf("%s is %s, want warn or fail", id, f.Status)
				}
			}
			if !strings.HasPrefix(r.CapReason, c.capPrefix) {
				t.Errorf("cap reason %q, want prefix %q", r.CapReason, c.capPrefix)
			}
			if c.band == "healthy" {
				for _, f := range r.Findings {
					if f.Penalty > 0 {
						t.Errorf("healthy fixture loses %d points to %s", f.Penalty, f.Key())
					}
				}
			}
		})
	}
	t.Run("collectors failed", func(t *testing.T) {
		r := mustAnalyze(t, corpusInput(t, "windows-collectors-failed"), Policy{})
		if !r.Stale || r.Coverage > 0.34 {
			t.Errorf("stale %v coverage %.2f, want stale and low coverage", r.Stale, r.Coverage)
		}
		for _, d := range r.Domains {
			if d.Domain == Storage && d.Scored {
				t.Error("storage is scored without storage data")
			}
		}
	})
}

// TestDeterministic: the same fixtures analysed twice give byte-identical
// results and roll-ups (docs/security.md reliability test 9), whatever the order of
// policy map iteration or roll-up members.
func TestDeterministic(t *testing.T) {
	var members []Member
	p := Policy{Overrides: map[string]Override{
		"system.uptime":        {CheckID: "system.uptime", Warn: f64(1)},
		"security.screen_lock": {CheckID: "security.screen_lock", Suppress: true, Reason: "kiosk"},
		"hardware.age":         {CheckID: "hardware.age", Severity: ptr(High)},
		"logs.error_volume":    {CheckID: "logs.error_volume", Enabled: ptr(false)},
	}}
	for _, e := range loadCorpus(t) {
		in := inputFor(t, e)
		a, b := encode(t, mustAnalyze(t, in, p)), encode(t, mustAnalyze(t, inputFor(t, e), p))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two analyses differ:\n%s", e.Name, firstDiff(a, b))
		}
		r := mustAnalyze(t, in, Policy{})
		members = append(members, Member{ID: e.Name, Score: r.Score, Scored: r.Scored, Server: e.Server, Stale: r.Stale})
	}
	first := encode(t, RollUp(members))
	for k := 1; k < len(members); k++ {
		perm := append(append([]Member{}, members[k:]...), members[:k]...) // rotated
		if k%2 == 1 {
			slices.Reverse(perm)
		}
		if got := encode(t, RollUp(perm)); !bytes.Equal(first, got) {
			t.Fatalf("roll-up depends on member order:\n%s", firstDiff(first, got))
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestPanicBecomesError: a check that panics makes Analyze return an error
// naming it, and no partial result (docs/security.md reliability test 8).
func TestPanicBecomesError(t *testing.T) {
	beforeCheck = func(id string) {
		if id == "storage.smart_health" {
			var m map[string]int
			m["boom"]++ //nolint:staticcheck // SA5000: a real runtime panic, on purpose
		}
	}
	defer func() { beforeCheck = nil }()
	r, err := Analyze(corpusInput(t, "windows-workstation-healthy"), Policy{})
	var ce *CheckError
	if !errors.As(err, &ce) || ce.CheckID != "storage.smart_health" {
		t.Fatalf("err = %v, want a CheckError for storage.smart_health", err)
	}
	if !strings.Contains(err.Error(), "storage.smart_health") || ce.Stack == "" {
		t.Errorf("error %q should name the check and carry a stack", err)
	}
	if r.Findings != nil || r.Score != 0 || r.Domains != nil {
		t.Errorf("partial result returned with the error: %+v", r)
	}
	// The hook off again: the same input analyses fine.
	beforeCheck = nil
	if _, err := Analyze(corpusInput(t, "windows-workstation-healthy"), Policy{}); err != nil {
		t.Fatal(err)
	}
}

func TestAnalyzeRejectsBadInput(t *testing.T) {
	if _, err := Analyze(Input{Now: goldenNow}, Policy{}); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("nil snapshot: err = %v", err)
	}
	in := corpusInput(t, "windows-workstation-healthy")
	for name, o := range map[string]Override{
		"NaN":      {Warn: f64(math.NaN())},
		"Inf":      {Fail: f64(math.Inf(1))},
		"severity": {Severity: ptr(Severity("urgent"))},
	} {
		if _, err := Analyze(in, Policy{Overrides: map[string]Override{"storage.volume_free_space": o}}); err == nil {
			t.Errorf("%s override accepted", name)
		}
	}
}

func TestPolicy(t *testing.T) {
	laptop := corpusInput(t, "windows-laptop-failing-disk")
	base := mustAnalyze(t, laptop, Policy{})

	t.Run("disabled check does not run", func(t *testing.T) {
		r := mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{"storage.smart_health": {Enabled: ptr(false)}}})
		if hasFinding(r, "storage.smart_health") {
			t.Fatal("disabled check produced a finding")
		}
		if ds := r.Domains[1]; ds.Checks != base.Domains[1].Checks-1 {
			t.Errorf("storage checks %d, want %d", ds.Checks, base.Domains[1].Checks-1)
		}
		// Enabled: true is the same as no override.
		r2 := mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{"storage.smart_health": {Enabled: ptr(true)}}})
		if !bytes.Equal(encode(t, r2), encode(t, base)) {
			t.Error("Enabled=true changed the result")
		}
	})
	t.Run("threshold override", func(t *testing.T) {
		// C: has 3.6 % free: critical by default, only a warning with the
		// thresholds lowered to 5 / 2 / 1.
		f := finding(t, base, "storage.volume_free_space", "volume C:")
		if f.Status != Fail || f.Severity != Critical {
			t.Fatalf("default: %s/%s", f.Status, f.Severity)
		}
		r := mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{"storage.volume_free_space": {Warn: f64(5), Fail: f64(2), Critical: f64(1)}}})
		if f := finding(t, r, "storage.volume_free_space", "volume C:"); f.Status != Warn || f.Severity != High || f.Penalty != Deduction(Storage, Warn, High) {
			t.Errorf("overridden: %s/%s/%d, want warn/high/%d", f.Status, f.Severity, f.Penalty, Deduction(Storage, Warn, High))
		}
		// A stricter uptime threshold turns a pass into a warning.
		ws := corpusInput(t, "windows-workstation-healthy")
		r = mustAnalyze(t, ws, Policy{Overrides: map[string]Override{"system.uptime": {Warn: f64(2)}}})
		if f := finding(t, r, "system.uptime"); f.Status != Warn {
			t.Errorf("uptime with warn 2 days: %s", f.Status)
		}
		// A threshold the check does not have is ignored by Analyze and
		// reported by Validate.
		p := Policy{Overrides: map[string]Override{"storage.smart_health": {Warn: f64(1)}}}
		if got := mustAnalyze(t, laptop, p); !bytes.Equal(encode(t, got), encode(t, base)) {
			t.Error("a threshold the check lacks changed the result")
		}
		if p.Validate() == nil {
			t.Error("Validate accepted a warn threshold on storage.smart_health")
		}
	})
	t.Run("severity override", func(t *testing.T) {
		r := mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{
			"storage.smart_health": {Severity: ptr(Low)}, "storage.volume_free_space": {Severity: ptr(Low)},
		}})
		f := finding(t, r, "storage.smart_health")
		if f.Severity != Low || f.Penalty != Deduction(Storage, Fail, Low) {
			t.Errorf("smart_health %s/%d, want low/%d", f.Severity, f.Penalty, Deduction(Storage, Fail, Low))
		}
		if strings.HasPrefix(r.CapReason, "Critical") || r.Score <= base.Score {
			t.Errorf("still judged critical: %d %q", r.Score, r.CapReason)
		}
		// Pass findings keep severity info.
		if f := finding(t, r, "storage.ssd_wear"); f.Status != Pass || f.Severity != Info {
			t.Errorf("pass finding got %s/%s", f.Status, f.Severity)
		}
	})
	t.Run("suppressed finding is kept without points", func(t *testing.T) {
		r := mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{
			"storage.smart_health": {Suppress: true, Reason: "disk replacement ordered, ticket 4711"},
		}})
		f := finding(t, r, "storage.smart_health")
		if !f.Suppressed || f.Penalty != 0 || f.SuppressReason != "disk replacement ordered, ticket 4711" || f.Status != Fail || f.Severity != Critical {
			t.Errorf("suppressed finding: %+v", f)
		}
		if got, want := r.Domains[1].Score, min(100, base.Domains[1].Score+Deduction(Storage, Fail, Critical)); base.Domains[1].Score > 1 && got != want {
			t.Errorf("storage score %d, want %d", got, want)
		}
		// The volume is still critical, so the reason now names it.
		if r.CapReason != "Critical: Volume C: has 3.6 % free" || r.Band != BandCritical {
			t.Errorf("reason %q band %s", r.CapReason, r.Band)
		}
		// Pass findings of a suppressed check are not marked.
		r = mustAnalyze(t, laptop, Policy{Overrides: map[string]Override{"network.dns_servers": {Suppress: true, Reason: "x"}}})
		if f := finding(t, r, "network.dns_servers"); f.Suppressed {
			t.Error("a passing finding was marked suppressed")
		}
	})
	t.Run("unknown check ids", func(t *testing.T) {
		p := Policy{Overrides: map[string]Override{"storage.no_such_check": {Enabled: ptr(false)}}}
		if got := mustAnalyze(t, laptop, p); !bytes.Equal(encode(t, got), encode(t, base)) {
			t.Error("an override for an unknown check changed the result")
		}
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "storage.no_such_check") {
			t.Errorf("Validate: %v", err)
		}
		ok := Policy{Overrides: map[string]Override{"system.uptime": {CheckID: "system.uptime", Warn: f64(7), Fail: f64(30), Severity: ptr(High)}}}
		if err := ok.Validate(); err != nil {
			t.Errorf("valid policy rejected: %v", err)
		}
	})
}

// TestScoring pins the scoring arithmetic (docs/scoring.md) on hand-made
// findings. Model 2026.12 replaced the weighted mean of domains and the caps
// at 40/70 with a sum of per-finding deductions, so every expected number
// here changed on purpose; 2026.12.2 raised the medium failure to 11 and
// compressed non-critical points beyond SoftFloorPoints.
func TestScoring(t *testing.T) {
	mk := func(d Domain, st Status, sev Severity) Finding {
		return Finding{CheckID: string(d) + ".x", Domain: d, Status: st, Severity: sev, Penalty: Deduction(d, st, sev), Title: "Something in " + string(d)}
	}
	t.Run("penalties", func(t *testing.T) {
		want := map[Severity][2]int{Info: {0, 0}, Low: {2, 1}, Medium: {11, 3}, High: {17, 11}, Critical: {55, 51}}
		for sev, w := range want {
			if Penalty(Fail, sev) != w[0] || Penalty(Warn, sev) != w[1] || Penalty(Pass, sev) != 0 || Penalty(Unknown, sev) != 0 {
				t.Errorf("%s: fail %d warn %d", sev, Penalty(Fail, sev), Penalty(Warn, sev))
			}
		}
		// The domain factor: 95 + weight percent, rounded half up.
		for _, c := range []struct {
			d    Domain
			st   Status
			sev  Severity
			want int
		}{
			{Security, Fail, High, 20}, {Storage, Fail, Critical, 63}, {System, Fail, Critical, 61}, {Platform, Fail, High, 17},
			{Hardware, Warn, High, 12}, {Security, Warn, Medium, 3}, {Storage, Fail, Medium, 13}, {Software, Fail, Medium, 11}, {Software, Warn, Low, 1},
		} {
			if got := Deduction(c.d, c.st, c.sev); got != c.want {
				t.Errorf("Deduction(%s, %s, %s) = %d, want %d", c.d, c.st, c.sev, got, c.want)
			}
		}
	})
	t.Run("findings add up and domains clamp at 1", func(t *testing.T) {
		var fs []Finding
		for i := 0; i < 3; i++ {
			fs = append(fs, mk(Storage, Fail, Critical)) // 3 × 63
		}
		fs = append(fs, mk(Network, Unknown, Info), mk(Security, Pass, Info))
		r := score(fs)
		if r.Domains[1].Score != 1 || !r.Domains[1].Scored {
			t.Errorf("storage %+v, want score 1", r.Domains[1])
		}
		if r.Domains[3].Scored || r.Domains[3].Unknown != 1 {
			t.Errorf("network %+v, want unscored", r.Domains[3])
		}
		if r.Coverage != 2.0/9 {
			t.Errorf("coverage %v", r.Coverage)
		}
		if r.Score != 1 || r.Band != BandCritical || r.CapReason != "Critical: Something in storage" || !r.NeedsAttention {
			t.Errorf("score %d band %s reason %q attention %v", r.Score, r.Band, r.CapReason, r.NeedsAttention)
		}
	})
	t.Run("minor findings", func(t *testing.T) {
		// security medium warn 3 + logs low fail 2 + system low warn 1:
		// 100 − 6 = 94, healthy, no reason shown and no attention needed.
		r := score([]Finding{mk(Security, Warn, Medium), mk(Logs, Fail, Low), mk(System, Warn, Low)})
		if r.Score != 94 || r.CapReason != "" || r.Band != "healthy" || r.NeedsAttention {
			t.Errorf("score %d band %s reason %q attention %v", r.Score, r.Band, r.CapReason, r.NeedsAttention)
		}
		// One medium failure leaves healthy (a failure is where the check
		// says to act), without needing attention.
		r = score([]Finding{mk(Platform, Fail, Medium)})
		if r.Score != 89 || r.Band != BandFair || r.CapReason != "Medium: Something in platform" || r.NeedsAttention {
			t.Errorf("score %d band %s reason %q attention %v", r.Score, r.Band, r.CapReason, r.NeedsAttention)
		}
		// Several: the reason names the costliest.
		r = score([]Finding{mk(Security, Fail, Medium), mk(Storage, Warn, Medium), mk(System, Fail, Medium), mk(Logs, Fail, Low)})
		if r.Score != 100-13-3-12-2 || r.Band != BandFair || r.CapReason != "Medium: Something in security" || r.NeedsAttention {
			t.Errorf("score %d band %s reason %q attention %v", r.Score, r.Band, r.CapReason, r.NeedsAttention)
		}
	})
	t.Run("high findings add up across domains", func(t *testing.T) {
		one := score([]Finding{mk(Platform, Fail, High), mk(Security, Pass, Info)})
		if one.Score != 83 || one.Band != BandFair || one.CapReason != "High: Something in platform" || !one.NeedsAttention {
			t.Errorf("one high: score %d band %s reason %q", one.Score, one.Band, one.CapReason)
		}
		two := score([]Finding{mk(Platform, Fail, High), mk(Security, Fail, High)})
		if two.Score != 100-17-20 || two.Band != BandPoor || two.CapReason != "High: Something in security" {
			t.Errorf("two highs: score %d band %s reason %q", two.Score, two.Band, two.CapReason)
		}
		// Beyond 40 non-critical points, the rest counts a fifth (rounded
		// up): three high failures (56 points) cost 40 + ⌈16/5⌉ = 44.
		three := score([]Finding{mk(Platform, Fail, High), mk(Security, Fail, High), mk(System, Fail, High)})
		if three.Score != 100-40-4 || three.Band != BandPoor {
			t.Errorf("three highs: score %d band %s", three.Score, three.Band)
		}
		// Five high failures across domains (20+20+19+18+18 = 95): critical
		// without a critical finding, 100 − 40 − ⌈55/5⌉ = 49.
		five := score([]Finding{mk(Security, Fail, High), mk(Storage, Fail, High), mk(System, Fail, High), mk(Hardware, Fail, High), mk(Logs, Fail, High)})
		if five.Score != 49 || five.Band != BandCritical {
			t.Errorf("five highs: score %d band %s", five.Score, five.Band)
		}
		// Critical points are never compressed: a critical warning on top
		// of two high failures costs its full 51 (100 − 37 − 51 = 12).
		crit := score([]Finding{mk(Platform, Fail, High), mk(Security, Fail, High), mk(Software, Warn, Critical)})
		if crit.Score != 100-37-51 || crit.Band != BandCritical {
			t.Errorf("two highs and a critical: score %d", crit.Score)
		}
	})
	t.Run("deviceLoss", func(t *testing.T) {
		for _, c := range []struct{ crit, other, want int }{
			{0, 0, 0}, {0, 40, 40}, {0, 41, 41}, {0, 45, 41}, {0, 46, 42}, {0, 90, 50}, {0, 91, 51}, {63, 20, 83}, {55, 95, 55 + 51},
		} {
			if got := deviceLoss(c.crit, c.other); got != c.want {
				t.Errorf("deviceLoss(%d, %d) = %d, want %d", c.crit, c.other, got, c.want)
			}
		}
		if 100-deviceLoss(0, CriticalByNonCriticalPoints) > CapCritical || 100-deviceLoss(0, CriticalByNonCriticalPoints-1) <= CapCritical {
			t.Errorf("CriticalByNonCriticalPoints %d is not where non-critical points reach critical", CriticalByNonCriticalPoints)
		}
	})
	t.Run("suppressed findings cost nothing", func(t *testing.T) {
		f := mk(Storage, Fail, Critical)
		f.Suppressed, f.Penalty = true, 0
		if r := score([]Finding{f}); r.Score != 100 || r.CapReason != "" || r.NeedsAttention {
			t.Errorf("score %d reason %q attention %v", r.Score, r.CapReason, r.NeedsAttention)
		}
	})
	t.Run("a high warning leaves healthy", func(t *testing.T) {
		if r := score([]Finding{mk(Software, Warn, High)}); r.Score != CapHigh || r.Band != BandFair {
			t.Errorf("score %d", r.Score)
		}
	})
	t.Run("info warnings are notes", func(t *testing.T) {
		r := score([]Finding{mk(System, Warn, Info), mk(Security, Fail, Info)})
		if r.Score != 100 || r.CapReason != "" || r.NeedsAttention {
			t.Errorf("score %d reason %q", r.Score, r.CapReason)
		}
	})
	t.Run("nothing scored", func(t *testing.T) {
		r := score([]Finding{mk(Storage, Unknown, Info)})
		if r.Scored || r.Score != 0 || r.Band != "unscored" || r.Coverage != 0 {
			t.Errorf("%+v", r)
		}
	})
	t.Run("weights", func(t *testing.T) {
		// As documented in doc.go.
		want := map[Domain]int{Security: 20, Storage: 20, System: 15, Hardware: 10, Logs: 10, Performance: 8, Network: 7, Software: 5, Platform: 5}
		for d, w := range want {
			if DomainWeight(d) != w || DomainFactor(d) != 95+w {
				t.Errorf("%s weighs %d (factor %d), doc.go says %d", d, DomainWeight(d), DomainFactor(d), w)
			}
		}
		sum := 0
		for _, d := range Domains() {
			sum += DomainWeight(d)
		}
		if sum != 100 {
			t.Errorf("weights sum to %d", sum)
		}
		for _, d := range Domains() {
			if d != Security && d != Storage && DomainWeight(d) >= DomainWeight(Security) {
				t.Errorf("%s weighs as much as security", d)
			}
		}
	})
}

func TestReason(t *testing.T) {
	for _, c := range []struct {
		f    Finding
		want string
	}{
		{Finding{Severity: Critical, Title: `Disk \\.\PHYSICALDRIVE0 is failing`, Subject: `disk \\.\PHYSICALDRIVE0`}, "Critical: Disk 0 is failing"},
		{Finding{Severity: Medium, Title: "PHP 7.4 is no longer supported", Subject: "php7.4-fpm"}, "Medium: PHP 7.4 is no longer supported (php7.4-fpm)"},
		{Finding{Severity: Critical, Title: "Volume C: has 2.0 % free", Subject: "volume C:"}, "Critical: Volume C: has 2.0 % free"},
		{Finding{Severity: High, Title: "Firewall is off: Public"}, "High: Firewall is off: Public"},
		{Finding{Severity: Low, CheckID: "logs.x", Subject: "app OUTLOOK.EXE", Title: "An app crashed 5 times"}, "Low: An app crashed 5 times (app OUTLOOK.EXE)"},
		{Finding{Severity: Low, CheckID: "logs.x"}, "Low: logs.x"},
		{Finding{Severity: High, Title: "Drive runs hot", Subject: `disk \\.\PHYSICALDRIVE1`}, "High: Drive runs hot (disk 1)"},
		{Finding{Severity: Info, Title: "Agent silent for 1 h"}, "Note: Agent silent for 1 h"},
	} {
		if got := Reason(c.f); got != c.want {
			t.Errorf("Reason(%q) = %q, want %q", c.f.Title, got, c.want)
		}
	}
}

func TestBandOf(t *testing.T) {
	for score, want := range map[int]Band{100: "healthy", 90: "healthy", 89: "fair", 70: "fair", 69: "poor", 50: "poor", 49: "critical", 1: "critical", 0: "unscored", -3: "unscored"} {
		if got := BandOf(score); got != want {
			t.Errorf("BandOf(%d) = %s, want %s", score, got, want)
		}
	}
}

func TestStaleAndAsOf(t *testing.T) {
	in := corpusInput(t, "windows-workstation-healthy")
	in.ReceivedAt = in.Now.Add(-StaleAfter)
	if r := mustAnalyze(t, in, Policy{}); r.Stale {
		t.Error("exactly StaleAfter old is not stale yet")
	}
	in.ReceivedAt = in.Now.Add(-StaleAfter - time.Second)
	if r := mustAnalyze(t, in, Policy{}); !r.Stale {
		t.Error("older than StaleAfter is stale")
	}
	// A device clock ahead of the server's does not move the analysis into
	// the future.
	in = corpusInput(t, "windows-workstation-healthy")
	in.Snapshot = proto.Clone(in.Snapshot).(*agentv1.Snapshot)
	in.Snapshot.CollectedTime.Seconds = in.Now.Add(time.Hour).Unix()
	r := mustAnalyze(t, in, Policy{})
	if !r.AsOf.Equal(in.ReceivedAt) {
		t.Errorf("as of %v, want the arrival time %v", r.AsOf, in.ReceivedAt)
	}
	if f := finding(t, r, "system.clock_ahead"); f.Status != Warn {
		t.Errorf("clock 1 h ahead: %s", f.Status)
	}
}

func TestCatalogue(t *testing.T) {
	cat := Catalogue()
	if len(cat) < 40 {
		t.Errorf("%d checks", len(cat))
	}
	perDomain := map[Domain]int{}
	seen := map[string]bool{}
	for i, c := range cat {
		perDomain[c.Domain]++
		if seen[c.ID] {
			t.Errorf("duplicate %s", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.ID, string(c.Domain)+".") {
			t.Errorf("%s is not prefixed by its domain %s", c.ID, c.Domain)
		}
		if c.Title == "" || c.Source == "" || c.Description == "" {
			t.Errorf("%s lacks title, source or description", c.ID)
		}
		if !ValidSeverity(c.Severity) || (c.WarnSeverity != "" && !ValidSeverity(c.WarnSeverity)) {
			t.Errorf("%s has severities %q/%q", c.ID, c.WarnSeverity, c.Severity)
		}
		hasT := c.Warn != nil || c.Fail != nil || c.Critical != nil
		if hasT != (c.Compare != "") || (hasT && c.Unit == "") {
			t.Errorf("%s: thresholds %v but compare %q unit %q", c.ID, hasT, c.Compare, c.Unit)
		}
		// Thresholds are ordered: warn is reached before fail before critical.
		if c.Warn != nil && c.Fail != nil {
			if strings.HasPrefix(c.Compare, "<") && *c.Warn < *c.Fail || strings.HasPrefix(c.Compare, ">") && *c.Warn > *c.Fail {
				t.Errorf("%s: warn %v and fail %v in the wrong order for %q", c.ID, *c.Warn, *c.Fail, c.Compare)
			}
		}
		if i > 0 && lessInfo(c, cat[i-1]) {
			t.Errorf("catalogue not sorted at %s", c.ID)
		}
	}
	for _, d := range Domains() {
		if perDomain[d] == 0 {
			t.Errorf("domain %s has no checks", d)
		}
	}
}

// fileName matches what names a file of the project rather than a source
// people can look up: a Markdown or Go file, a docs/ or testdata path.
var fileName = regexp.MustCompile(`(?i)\.(md|go)\b|\bdocs/|\btestdata\b`)

// TestCatalogueNamesNoFile: the catalogue's text is shown to users on the
// Checks page, so a threshold's source says where it comes from (vendor
// guidance, CIS, NIST, the project's own default) and never names a file.
func TestCatalogueNamesNoFile(t *testing.T) {
	for _, c := range Catalogue() {
		for field, text := range map[string]string{"source": c.Source, "title": c.Title, "description": c.Description} {
			if m := fileName.FindString(text); m != "" {
				t.Errorf("%s: the %s names a file (%q): %s", c.ID, field, m, text)
			}
		}
	}
}

func TestDiff(t *testing.T) {
	laptop := corpusInput(t, "windows-laptop-failing-disk")
	before := mustAnalyze(t, laptop, Policy{})
	fixed := proto.Clone(laptop.Snapshot).(*agentv1.Snapshot)
	fixed.Storage.Volumes[0].FreeBytes = fixed.Storage.Volumes[0].SizeBytes / 2
	fixed.Security.Firewall[2].Enabled = false
	laptop.Snapshot = fixed
	after := mustAnalyze(t, laptop, Policy{})
	changes := Diff(before, after)
	var texts []string
	for _, c := range changes {
		texts = append(texts, c.Text)
	}
	got := strings.Join(texts, "\n")
	for _, want := range []string{"−20: Firewall is off: Public (new)", "+63: Volume C: has 3.6 % free (resolved)"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	if changes[0].Kind != "new" || changes[0].CheckID != "security.firewall" {
		t.Errorf("first change %+v, want the new firewall finding (most points lost)", changes[0])
	}
	if d := Diff(before, before); len(d) != 0 {
		t.Errorf("diff of a result with itself: %v", d)
	}
}

// TestConcurrentAnalyses: Analyze shares no mutable state, so analyses
// running at once (as River workers do) agree with sequential ones.
func TestConcurrentAnalyses(t *testing.T) {
	corpus := loadCorpus(t)
	want := map[string][]byte{}
	for _, e := range corpus {
		want[e.Name] = encode(t, mustAnalyze(t, inputFor(t, e), Policy{}))
	}
	errs := make(chan string, 4*len(corpus))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, e := range corpus {
				r, err := Analyze(inputFor(t, e), Policy{})
				if err != nil {
					errs <- err.Error()
					continue
				}
				if got := encode(t, r); !bytes.Equal(got, want[e.Name]) {
					errs <- e.Name + " differs when analysed concurrently"
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
