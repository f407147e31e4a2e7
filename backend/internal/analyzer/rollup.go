package analyzer

import (
	"fmt"
	"sort"
)

// Roll-up weights and caps (see doc.go).
const (
	// ServerWeight is how many workstations a server counts for in a roll-up
	// mean: a server serves many users.
	ServerWeight = 3
	// RollUpCapCritical caps an entity with a device in the critical band.
	RollUpCapCritical = 60
	// RollUpCapPoor caps an entity with a device in the poor band.
	RollUpCapPoor = 80
)

// RollUp aggregates device scores into a group, organisation or tenant
// score: the role-weighted mean of scored members (servers ×ServerWeight),
// capped by the worst member (critical band → ≤ RollUpCapCritical, poor band
// → ≤ RollUpCapPoor), with the distribution beside it. Unscored members are
// left out of the mean but count against coverage. Pure and deterministic;
// the order of members does not matter.
//
// Roll up an organisation or tenant from its devices, not from the
// aggregates of its groups, so that the caps see every device.
func RollUp(members []Member) Aggregate {
	a := Aggregate{Bands: map[Band]int{BandHealthy: 0, BandFair: 0, BandPoor: 0, BandCritical: 0, BandUnscored: 0}}
	var sum, weights, scored, fresh int
	var worst []Member
	for _, m := range members {
		if !m.Stale {
			fresh++
		}
		if !m.Scored {
			a.Bands[BandUnscored]++
			continue
		}
		m.Score = clamp(m.Score, 1, 100)
		a.Bands[BandOf(m.Score)]++
		w := 1
		if m.Server {
			w = ServerWeight
		}
		sum += w * m.Score
		weights += w
		scored++
		worst = insertWorst(worst, m)
	}
	if len(members) > 0 {
		a.Coverage = float64(scored) / float64(len(members))
		a.Freshness = float64(fresh) / float64(len(members))
	}
	a.Worst = worst
	if a.Worst == nil {
		a.Worst = []Member{}
	}
	if weights == 0 {
		a.Band = BandOf(0)
		return a
	}
	a.Scored = true
	a.Score = clamp((2*sum+weights)/(2*weights), 1, 100)
	w := worst[0]
	limit := 100
	switch BandOf(w.Score) {
	case BandCritical:
		limit = RollUpCapCritical
	case BandPoor:
		limit = RollUpCapPoor
	}
	if a.Score > limit {
		a.Score = limit
		a.CapReason = fmt.Sprintf("%s device: %s (score %d)", BandOf(w.Score), w.ID, w.Score)
	}
	a.Band = BandOf(a.Score)
	return a
}

// worseMember orders members by score, then id.
func worseMember(a, b Member) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	return a.ID < b.ID
}

// insertWorst keeps the five worst members, in order.
func insertWorst(worst []Member, m Member) []Member {
	if len(worst) == 5 && !worseMember(m, worst[4]) {
		return worst
	}
	i := sort.Search(len(worst), func(i int) bool { return worseMember(m, worst[i]) })
	if len(worst) < 5 {
		worst = append(worst, Member{})
	}
	copy(worst[i+1:], worst[i:len(worst)-1])
	worst[i] = m
	return worst
}
