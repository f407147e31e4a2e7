package analyzer

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// The property tests of docs/scoring.md ("Properties"): each draws finding
// sets (or roll-up members) at random and checks one promise of the model.
// Info-severity warnings and failures are notes by definition (they cost
// nothing and are left out of the monotonic property).

// costed returns f with the Penalty Analyze would give it.
func costed(f Finding) Finding {
	f.Penalty = 0
	if (f.Status == Warn || f.Status == Fail) && !f.Suppressed {
		f.Penalty = Deduction(f.Domain, f.Status, f.Severity)
	}
	if f.Status == Pass || f.Status == Unknown {
		f.Severity = Info
	}
	return f
}

var genDomain = rapid.SampledFrom(Domains())

// genFinding draws any finding: every status and severity, sometimes
// suppressed.
func genFinding() *rapid.Generator[Finding] {
	return rapid.Custom(func(t *rapid.T) Finding {
		f := Finding{
			CheckID:    fmt.Sprintf("c%d", rapid.IntRange(0, 20).Draw(t, "check")),
			Domain:     genDomain.Draw(t, "domain"),
			Status:     rapid.SampledFrom([]Status{Pass, Pass, Warn, Fail, Unknown}).Draw(t, "status"),
			Severity:   rapid.SampledFrom(Severities()).Draw(t, "severity"),
			Suppressed: rapid.IntRange(0, 9).Draw(t, "suppressed") == 0,
			Title:      "t",
		}
		f.Subject = rapid.SampledFrom([]string{"", "volume C:", "disk 1"}).Draw(t, "subject")
		return costed(f)
	})
}

// genCosting draws an unsuppressed warning or failure of severity low or
// worse: a finding that must cost points.
func genCosting(sevs ...Severity) *rapid.Generator[Finding] {
	if len(sevs) == 0 {
		sevs = []Severity{Low, Medium, High, Critical}
	}
	return rapid.Custom(func(t *rapid.T) Finding {
		return costed(Finding{
			CheckID:  "added",
			Domain:   genDomain.Draw(t, "domain"),
			Status:   rapid.SampledFrom([]Status{Warn, Fail}).Draw(t, "status"),
			Severity: rapid.SampledFrom(sevs).Draw(t, "severity"),
			Title:    "added",
		})
	})
}

// genFindings draws a finding set with at least one passing finding, so
// the device is scored.
func genFindings(t *rapid.T) []Finding {
	fs := rapid.SliceOfN(genFinding(), 0, 40).Draw(t, "findings")
	return append(fs, costed(Finding{CheckID: "p", Domain: genDomain.Draw(t, "pass domain"), Status: Pass}))
}

func with(fs []Finding, more ...Finding) []Finding {
	return append(slices.Clone(fs), more...)
}

func TestPropertyMonotonic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fs := genFindings(t)
		before := score(fs)
		g := genCosting().Draw(t, "added")
		after := score(with(fs, g))
		if after.Score > before.Score {
			t.Fatalf("adding %s/%s in %s raised %d to %d", g.Status, g.Severity, g.Domain, before.Score, after.Score)
		}
		if before.Score > 1 && after.Score >= before.Score {
			t.Fatalf("adding %s/%s in %s left %d unchanged", g.Status, g.Severity, g.Domain, before.Score)
		}
		// Anything else (pass, unknown, info notes, suppressed) never
		// raises it either.
		h := genFinding().Draw(t, "any")
		if s := score(with(fs, h)).Score; s > before.Score {
			t.Fatalf("adding %+v raised %d to %d", h, before.Score, s)
		}
	})
}

func TestPropertySeverityAndStatusOrder(t *testing.T) {
	// Exhaustive over the small table: a more severe finding costs more
	// than a less severe one with the same status in any domain, and a
	// failure more than a warning of the same severity in the same domain.
	sevs := Severities()
	for _, st := range []Status{Warn, Fail} {
		for i := 2; i < len(sevs); i++ {
			for _, d1 := range Domains() {
				for _, d2 := range Domains() {
					if Deduction(d1, st, sevs[i]) <= Deduction(d2, st, sevs[i-1]) {
						t.Errorf("%s %s in %s costs %d, not more than %s in %s (%d)", st, sevs[i], d1, Deduction(d1, st, sevs[i]), sevs[i-1], d2, Deduction(d2, st, sevs[i-1]))
					}
				}
			}
		}
	}
	for _, sev := range sevs[1:] {
		for _, d := range Domains() {
			if Deduction(d, Fail, sev) <= Deduction(d, Warn, sev) {
				t.Errorf("%s fail in %s costs %d, warn %d", sev, d, Deduction(d, Fail, sev), Deduction(d, Warn, sev))
			}
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		fs := genFindings(t)
		g := genCosting(Low, Medium, High).Draw(t, "finding")
		worse := g
		worse.Severity = Severities()[severityRank[g.Severity]+1]
		worse.Domain = genDomain.Draw(t, "other domain")
		a, b := score(with(fs, g)), score(with(fs, costed(worse)))
		if b.Score > a.Score || (a.Score > 1 && b.Score == a.Score) {
			t.Fatalf("%s %s scores %d, %s %s scores %d", g.Severity, g.Domain, a.Score, worse.Severity, worse.Domain, b.Score)
		}
		if g.Status == Warn {
			fail := g
			fail.Status = Fail
			if c := score(with(fs, costed(fail))); c.Score > a.Score || (a.Score > 1 && c.Score == a.Score) {
				t.Fatalf("a %s failure scores %d, the warning %d", g.Severity, c.Score, a.Score)
			}
		}
	})
}

func TestPropertySeverityReachesTheBand(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fs := genFindings(t)
		crit := genCosting(Critical).Draw(t, "critical")
		if r := score(with(fs, crit)); r.Band != BandCritical || r.Score > CapCritical || !r.NeedsAttention || r.CapReason == "" {
			t.Fatalf("with a critical %s: %d %s %q", crit.Status, r.Score, r.Band, r.CapReason)
		}
		high := genCosting(High).Draw(t, "high")
		if r := score(with(fs, high)); r.Band == BandHealthy || r.Score > CapHigh || !r.NeedsAttention {
			t.Fatalf("with a high %s: %d %s", high.Status, r.Score, r.Band)
		}
		d1 := genDomain.Draw(t, "d1")
		d2 := rapid.SampledFrom(slices.DeleteFunc(Domains(), func(d Domain) bool { return d == d1 })).Draw(t, "d2")
		two := with(fs, costed(Finding{CheckID: "h1", Domain: d1, Status: Fail, Severity: High}), costed(Finding{CheckID: "h2", Domain: d2, Status: Fail, Severity: High}))
		if r := score(two); r.Score > CapTwoHigh || (r.Band != BandPoor && r.Band != BandCritical) {
			t.Fatalf("with high failures in %s and %s: %d %s", d1, d2, r.Score, r.Band)
		}
	})
}

func TestPropertySuppressedCostsNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fs := genFindings(t)
		g := genCosting().Draw(t, "suppressed")
		g.Suppressed = true
		g = costed(g)
		a, b := score(fs), score(with(fs, g))
		if a.Score != b.Score || a.Band != b.Band || a.CapReason != b.CapReason || a.NeedsAttention != b.NeedsAttention {
			t.Fatalf("a suppressed %s %s changed %d %q to %d %q", g.Severity, g.Status, a.Score, a.CapReason, b.Score, b.CapReason)
		}
	})
}

// genMembers draws roll-up members: scores 1..100, some servers, a few
// unscored.
func genMembers(t *rapid.T, label string) []Member {
	n := rapid.OneOf(rapid.IntRange(1, 10), rapid.IntRange(1, 40)).Draw(t, label+" count")
	// Scores cluster on a few values so that shares hit band edges exactly.
	genScore := rapid.OneOf(rapid.SampledFrom([]int{100, 98, 90, 89, 80, 70, 69, 55, 49, 20}), rapid.IntRange(1, 100))
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{
			ID:             fmt.Sprintf("%s-%02d", label, i),
			Score:          genScore.Draw(t, "score"),
			Scored:         rapid.IntRange(0, 9).Draw(t, "scored") > 0,
			Server:         rapid.IntRange(0, 3).Draw(t, "server") == 0,
			NeedsAttention: rapid.Bool().Draw(t, "attention"),
		}
	}
	return ms
}

func TestPropertyRollUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms := genMembers(t, "m")
		a := RollUp(ms)
		var scored []Member
		total, attention := 0, 0
		for _, m := range ms {
			if m.Scored {
				scored = append(scored, m)
				total += weight(m)
				if b := BandOf(m.Score); m.NeedsAttention || b == BandPoor || b == BandCritical {
					attention++
				}
			}
		}
		if a.NeedsAttention != attention {
			t.Fatalf("needs attention %d, want %d", a.NeedsAttention, attention)
		}
		if len(scored) == 0 {
			if a.Scored || a.Score != 0 {
				t.Fatalf("nothing scored, got %d", a.Score)
			}
			return
		}
		worst := slices.MinFunc(scored, func(x, y Member) int { return x.Score - y.Score })
		// Never in a better band than a meaningful share allows: for every
		// band, if the members in it or worse make up at least RollUpShare %
		// of the weight, the entity is at most the top of that band.
		for _, b := range Bands() {
			w := 0
			for _, m := range scored {
				if m.Score <= b.Max {
					w += weight(m)
				}
			}
			if w*100 >= RollUpShare*total && a.Score > b.Max {
				t.Fatalf("%d of %d weight is %s or worse, entity scores %d", w, total, b.Name, a.Score)
			}
		}
		switch BandOf(worst.Score) {
		case BandCritical:
			if a.Score > RollUpCapCritical {
				t.Fatalf("a critical member, entity %d", a.Score)
			}
		case BandPoor:
			if a.Score > RollUpCapPoor {
				t.Fatalf("a poor member, entity %d", a.Score)
			}
		}
		// Between the worst member and the weighted mean.
		sum := 0
		for _, m := range scored {
			sum += weight(m) * m.Score
		}
		if a.Score < worst.Score || float64(a.Score) > float64(sum)/float64(total)+0.5 {
			t.Fatalf("entity %d outside [worst %d, mean %.1f]", a.Score, worst.Score, float64(sum)/float64(total))
		}
		if a.Score < a.Ceiling && a.CapReason != "" || a.Score > a.Ceiling {
			t.Fatalf("score %d ceiling %d reason %q", a.Score, a.Ceiling, a.CapReason)
		}
		// The order of members does not matter.
		perm := rapid.Permutation(ms).Draw(t, "permutation")
		if b := RollUp(perm); fmt.Sprint(b) != fmt.Sprint(a) {
			t.Fatalf("order changed the roll-up: %+v vs %+v", a, b)
		}
	})
}

func TestPropertyServersWeighMore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ms := genMembers(t, "m")
		for i := range ms {
			ms[i].Scored = true
			ms[i].Score = rapid.IntRange(2, 100).Draw(t, "score")
		}
		// The worst member as a workstation and then as a server: the
		// entity never scores higher with the server.
		sick := Member{ID: "sick", Score: rapid.IntRange(1, 1+slices.MinFunc(ms, func(x, y Member) int { return x.Score - y.Score }).Score-1).Draw(t, "sick"), Scored: true}
		ws := RollUp(append(slices.Clone(ms), sick))
		sick.Server = true
		srv := RollUp(append(slices.Clone(ms), sick))
		if srv.Score > ws.Score {
			t.Fatalf("the sick device as a server gives %d, as a workstation %d", srv.Score, ws.Score)
		}
	})
}
