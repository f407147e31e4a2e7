package analyzer

import (
	"fmt"
	"testing"
)

func fleetOf(n int, score int, server bool, prefix string) []Member {
	out := make([]Member, n)
	for i := range out {
		out[i] = Member{ID: fmt.Sprintf("%s-%03d", prefix, i), Score: score, Scored: true, Server: server}
	}
	return out
}

func TestRollUpNeverHidesASickDevice(t *testing.T) {
	// 99 healthy workstations and one critical server: the server is 3 of
	// 102 weight, under the 20 % share, so the critical-member ceiling of 60
	// decides.
	ms := append(fleetOf(99, 98, false, "ws"), Member{ID: "srv-db", Score: 30, Scored: true, Server: true})
	a := RollUp(ms)
	if a.Score != RollUpCapCritical || a.Band != "poor" || a.Ceiling != RollUpCapCritical {
		t.Errorf("score %d band %s ceiling %d, want 60", a.Score, a.Band, a.Ceiling)
	}
	if a.CapReason != "srv-db is critical (score 30); one critical device holds the score at 60 or below" {
		t.Errorf("cap reason %q", a.CapReason)
	}
	if a.Bands["healthy"] != 99 || a.Bands["critical"] != 1 || len(a.Worst) != 5 || a.Worst[0].ID != "srv-db" || a.NeedsAttention != 1 {
		t.Errorf("bands %v worst %v attention %d", a.Bands, a.Worst, a.NeedsAttention)
	}
	// One poor workstation among healthy ones: ≤ 80.
	a = RollUp(append(fleetOf(99, 98, false, "ws"), Member{ID: "ws-x", Score: 55, Scored: true}))
	if a.Score != RollUpCapPoor || a.CapReason != "ws-x is poor (score 55); one poor device holds the score at 80 or below" {
		t.Errorf("poor member: score %d cap %q", a.Score, a.CapReason)
	}
	// One fair member of ten is under the share: no ceiling.
	a = RollUp(append(fleetOf(9, 98, false, "ws"), Member{ID: "ws-x", Score: 75, Scored: true, NeedsAttention: true}))
	if a.CapReason != "" || a.Score != 96 || a.Ceiling != 100 || a.NeedsAttention != 1 { // (9·98 + 75) / 10 = 95.7 → 96
		t.Errorf("fair member: score %d cap %q ceiling %d attention %d", a.Score, a.CapReason, a.Ceiling, a.NeedsAttention)
	}
}

// TestRollUpShareRule: the group of five with two devices whose
// firewall is off (a high security failure each) is not healthy.
func TestRollUpShareRule(t *testing.T) {
	firewallOff := score([]Finding{{CheckID: "security.firewall", Domain: Security, Status: Fail, Severity: High, Penalty: Deduction(Security, Fail, High), Title: "Firewall is off: Public"}})
	if firewallOff.Band != BandFair || !firewallOff.NeedsAttention {
		t.Fatalf("firewall off: %d %s", firewallOff.Score, firewallOff.Band)
	}
	ms := fleetOf(3, 100, false, "ok")
	ms = append(ms, Member{ID: "pc-4", Score: firewallOff.Score, Scored: true, NeedsAttention: true},
		Member{ID: "pc-5", Score: firewallOff.Score, Scored: true, NeedsAttention: true})
	a := RollUp(ms)
	// The mean (3·100 + 2·80) / 5 = 92 would be healthy.
	if a.Band != BandFair || a.Score != 89 || a.NeedsAttention != 2 {
		t.Errorf("score %d band %s attention %d, want 89 fair and 2", a.Score, a.Band, a.NeedsAttention)
	}
	if a.CapReason != "2 of 5 devices are fair or worse; lowest: pc-4 (score 80)" {
		t.Errorf("cap reason %q", a.CapReason)
	}
	// Exactly a fifth is a meaningful share: one fair device of five.
	a = RollUp(append(fleetOf(4, 100, false, "ok"), Member{ID: "pc", Score: 75, Scored: true}))
	if a.Score != 89 || a.Band != BandFair {
		t.Errorf("one fair of five: %d %s", a.Score, a.Band)
	}
	// A critical server among four healthy workstations is 3 of 7 weight:
	// the entity is critical, not just held at 60.
	ms = append(fleetOf(4, 100, false, "ws"), Member{ID: "srv", Score: 30, Scored: true, Server: true})
	a = RollUp(ms)
	if a.Score != 49 || a.CapReason != "1 of 5 devices is critical (a server, counting 3 times); lowest: srv (score 30)" {
		t.Errorf("critical server: score %d cap %q", a.Score, a.CapReason)
	}
	// The same as a workstation among nine healthy: 1 of 10, only the
	// critical-member ceiling applies.
	a = RollUp(append(fleetOf(9, 100, false, "ws"), Member{ID: "pc", Score: 30, Scored: true}))
	if a.Score != RollUpCapCritical {
		t.Errorf("critical workstation: score %d", a.Score)
	}
}

func TestRollUpWeights(t *testing.T) {
	// One server at 70 and one workstation at 100: (3·70 + 100) / 4 = 77.5 → 78;
	// the server is 75 % of the weight, so its band (fair) is the ceiling.
	a := RollUp([]Member{{ID: "s", Score: 70, Scored: true, Server: true}, {ID: "w", Score: 100, Scored: true}})
	if a.Score != 78 {
		t.Errorf("score %d, want 78 (server weight %d)", a.Score, ServerWeight)
	}
	// The same with roles swapped: (70 + 3·100) / 4 = 92.5 → 93, but the
	// fair workstation is 25 % of the weight: held at 89.
	a = RollUp([]Member{{ID: "s", Score: 70, Scored: true}, {ID: "w", Score: 100, Scored: true, Server: true}})
	if a.Score != 89 {
		t.Errorf("score %d, want 89", a.Score)
	}
}

func TestRollUpCoverageAndFreshness(t *testing.T) {
	ms := []Member{
		{ID: "a", Score: 90, Scored: true},
		{ID: "b", Score: 80, Scored: true, Stale: true},
		{ID: "c", Scored: false, Score: 5}, // unscored: its score is ignored
		{ID: "d", Scored: false, Stale: true},
	}
	a := RollUp(ms)
	if a.Score != 85 || !a.Scored {
		t.Errorf("score %d, want 85 (unscored members left out)", a.Score)
	}
	if a.Coverage != 0.5 || a.Freshness != 0.5 {
		t.Errorf("coverage %v freshness %v", a.Coverage, a.Freshness)
	}
	if a.Bands["unscored"] != 2 || a.Bands["healthy"] != 1 || a.Bands["fair"] != 1 || len(a.Bands) != 5 {
		t.Errorf("bands %v", a.Bands)
	}
	if len(a.Worst) != 2 || a.Worst[0].ID != "b" {
		t.Errorf("worst %v", a.Worst)
	}
}

func TestRollUpWorstOrder(t *testing.T) {
	ms := []Member{
		{ID: "z", Score: 40, Scored: true}, {ID: "a", Score: 40, Scored: true}, {ID: "m", Score: 10, Scored: true},
		{ID: "b", Score: 90, Scored: true}, {ID: "c", Score: 91, Scored: true}, {ID: "d", Score: 92, Scored: true}, {ID: "e", Score: 95, Scored: true},
	}
	a := RollUp(ms)
	var ids string
	for _, m := range a.Worst {
		ids += m.ID
	}
	if ids != "mazbc" {
		t.Errorf("worst %q, want mazbc", ids)
	}
	if a.Score > RollUpCapCritical {
		t.Errorf("score %d", a.Score)
	}
}

func TestRollUpEmpty(t *testing.T) {
	for _, ms := range [][]Member{nil, {{ID: "x"}}} {
		a := RollUp(ms)
		if a.Scored || a.Score != 0 || a.Band != "unscored" || a.Worst == nil || len(a.Worst) != 0 {
			t.Errorf("%v → %+v", ms, a)
		}
	}
}

func TestRollUpOfCorpus(t *testing.T) {
	// The corpus holds a critical laptop: whatever else, the entity is ≤ 60.
	var ms []Member
	for _, e := range loadCorpus(t) {
		r := mustAnalyze(t, inputFor(t, e), Policy{})
		ms = append(ms, Member{ID: e.Name, Score: r.Score, Scored: r.Scored, Server: e.Server, Stale: r.Stale})
	}
	a := RollUp(ms)
	if a.Score > RollUpCapCritical || a.Worst[0].Score > 49 {
		t.Errorf("corpus roll-up %d, worst %v", a.Score, a.Worst[0])
	}
}
