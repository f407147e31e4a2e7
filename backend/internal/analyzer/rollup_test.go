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
	// 99 healthy workstations and one critical server.
	ms := append(fleetOf(99, 98, false, "ws"), Member{ID: "srv-db", Score: 30, Scored: true, Server: true})
	a := RollUp(ms)
	if a.Score > 60 || a.Band != "poor" {
		t.Errorf("score %d band %s, want ≤ 60", a.Score, a.Band)
	}
	if a.CapReason != "critical device: srv-db (score 30)" {
		t.Errorf("cap reason %q", a.CapReason)
	}
	if a.Bands["healthy"] != 99 || a.Bands["critical"] != 1 || len(a.Worst) != 5 || a.Worst[0].ID != "srv-db" {
		t.Errorf("bands %v worst %v", a.Bands, a.Worst)
	}
	// One poor workstation among healthy ones: ≤ 80.
	a = RollUp(append(fleetOf(99, 98, false, "ws"), Member{ID: "ws-x", Score: 55, Scored: true}))
	if a.Score != RollUpCapPoor || a.CapReason != "poor device: ws-x (score 55)" {
		t.Errorf("poor member: score %d cap %q", a.Score, a.CapReason)
	}
	// A fair member does not cap.
	a = RollUp(append(fleetOf(9, 98, false, "ws"), Member{ID: "ws-x", Score: 75, Scored: true}))
	if a.CapReason != "" || a.Score != 96 { // (9·98 + 75) / 10 = 95.7 → 96
		t.Errorf("fair member: score %d cap %q", a.Score, a.CapReason)
	}
}

func TestRollUpWeights(t *testing.T) {
	// One server at 70 and one workstation at 100: (3·70 + 100) / 4 = 77.5 → 78.
	a := RollUp([]Member{{ID: "s", Score: 70, Scored: true, Server: true}, {ID: "w", Score: 100, Scored: true}})
	if a.Score != 78 {
		t.Errorf("score %d, want 78 (server weight %d)", a.Score, ServerWeight)
	}
	// The same with roles swapped: (70 + 3·100) / 4 = 92.5 → 93.
	a = RollUp([]Member{{ID: "s", Score: 70, Scored: true}, {ID: "w", Score: 100, Scored: true, Server: true}})
	if a.Score != 93 {
		t.Errorf("score %d, want 93", a.Score)
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
