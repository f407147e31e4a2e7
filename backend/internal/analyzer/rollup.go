package analyzer

import (
	"fmt"
	"sort"
)

// Roll-up weights and ceilings (see doc.go and docs/scoring.md).
const (
	// ServerWeight is how many workstations a server counts for in a roll-up,
	// in the mean and in the share rule: a server serves many users.
	ServerWeight = 3
	// RollUpShare is the share rule, in percent of the members' weight: an
	// entity scores at most the top of the band of its member at this
	// weighted percentile, counted from the worst. With 20, two fair devices
	// of five hold the entity at fair, one of ten does not.
	RollUpShare = 20
	// RollUpCapCritical caps an entity with any device in the critical band,
	// whatever its share: the entity is poor at best.
	RollUpCapCritical = 60
	// RollUpCapPoor caps an entity with any device in the poor band: fair at
	// best.
	RollUpCapPoor = 80
)

// RollUp aggregates device scores into a group, organisation or tenant
// score. The score is the role-weighted mean of the scored members
// (servers ×ServerWeight), rounded half up, then held at or below three
// ceilings, so that an entity is never in a better band than a meaningful
// share of its members:
//
//   - share rule: at most the top of the band of the member at the
//     RollUpShare-th weighted percentile from the worst (members sorted by
//     score, servers weighing ServerWeight);
//   - a member in the critical band: at most RollUpCapCritical;
//   - a member in the poor band: at most RollUpCapPoor.
//
// The lowest ceiling that lowers the mean is explained in CapReason. Beside
// the score: devices per band, the five worst, coverage, freshness and the
// number of devices that need attention. Unscored members are left out of
// the mean and the ceilings but count against coverage. Pure and
// deterministic; the order of members does not matter.
//
// Roll up an organisation or tenant from its devices, not from the
// aggregates of its groups, so that the ceilings see every device.
func RollUp(members []Member) Aggregate {
	a := Aggregate{Bands: map[Band]int{BandHealthy: 0, BandFair: 0, BandPoor: 0, BandCritical: 0, BandUnscored: 0}}
	var sum, weights, fresh int
	scored := make([]Member, 0, len(members))
	for _, m := range members {
		if !m.Stale {
			fresh++
		}
		if !m.Scored {
			a.Bands[BandUnscored]++
			continue
		}
		m.Score = clamp(m.Score, 1, 100)
		b := BandOf(m.Score)
		a.Bands[b]++
		if m.NeedsAttention || b == BandPoor || b == BandCritical {
			a.NeedsAttention++
		}
		w := weight(m)
		sum += w * m.Score
		weights += w
		scored = append(scored, m)
	}
	if len(members) > 0 {
		a.Coverage = float64(len(scored)) / float64(len(members))
		a.Freshness = float64(fresh) / float64(len(members))
	}
	sort.Slice(scored, func(i, j int) bool { return worseMember(scored[i], scored[j]) })
	a.Worst = append([]Member{}, scored[:min(5, len(scored))]...)
	if weights == 0 {
		a.Band = BandOf(0)
		return a
	}
	a.Scored = true
	mean := clamp((2*sum+weights)/(2*weights), 1, 100)
	a.Ceiling, a.CapReason = ceiling(scored, weights)
	a.Score = min(mean, a.Ceiling)
	if a.Score == mean {
		a.CapReason = ""
	}
	a.Band = BandOf(a.Score)
	return a
}

// weight is a member's weight in a roll-up.
func weight(m Member) int {
	if m.Server {
		return ServerWeight
	}
	return 1
}

// ceiling returns the lowest roll-up ceiling for scored members sorted worst
// first (total weight weights) and its reason for people.
func ceiling(sorted []Member, weights int) (int, string) {
	worst := sorted[0]
	limit, reason := 100, ""
	// Share rule: the member at the RollUpShare-th weighted percentile.
	cum := 0
	for _, m := range sorted {
		cum += weight(m)
		if cum*100 >= RollUpShare*weights {
			b := bandRange(BandOf(m.Score))
			if b.Max < limit {
				limit, reason = b.Max, shareReason(sorted, b)
			}
			break
		}
	}
	hold := 100
	switch BandOf(worst.Score) {
	case BandCritical:
		hold = RollUpCapCritical
	case BandPoor:
		hold = RollUpCapPoor
	}
	if hold < limit {
		limit = hold
		reason = fmt.Sprintf("%s is %s (score %d); one %s device holds the score at %d or below", worst.ID, BandOf(worst.Score), worst.Score, BandOf(worst.Score), hold)
	}
	return limit, reason
}

// shareReason explains the share rule for band b: how many devices are in b
// or worse, how many of them are servers, and the lowest.
func shareReason(sorted []Member, b BandRange) string {
	n, servers := 0, 0
	for _, m := range sorted {
		if m.Score <= b.Max {
			n++
			if m.Server {
				servers++
			}
		}
	}
	verb := "are"
	if n == 1 {
		verb = "is"
	}
	worse := " or worse"
	if b.Name == BandCritical {
		worse = ""
	}
	s := fmt.Sprintf("%d of %d devices %s %s%s", n, len(sorted), verb, b.Name, worse)
	switch {
	case servers == 1 && n == 1:
		s += fmt.Sprintf(" (a server, counting %d times)", ServerWeight)
	case servers == 1:
		s += fmt.Sprintf(" (1 of them a server, counting %d times)", ServerWeight)
	case servers > 0:
		s += fmt.Sprintf(" (%d of them servers, counting %d times each)", servers, ServerWeight)
	}
	return fmt.Sprintf("%s; lowest: %s (score %d)", s, sorted[0].ID, sorted[0].Score)
}

// bandRange returns the score range of a scored band.
func bandRange(b Band) BandRange {
	for _, r := range bandRanges {
		if r.Name == b {
			return r
		}
	}
	return BandRange{Name: b}
}

// worseMember orders members by score, then id.
func worseMember(a, b Member) bool {
	if a.Score != b.Score {
		return a.Score < b.Score
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	// The same id twice (a caller's mistake) still sorts one way whatever
	// the input order.
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// The model's rules in a sentence each, for people (served by
// GetScoringModel; docs/scoring.md explains them with examples).
const (
	// DeviceRule is how a device score is computed.
	DeviceRule = "A device starts at 100 and loses points for every warning and failure: the penalty of its severity, scaled by its domain's factor; the score stays between 1 and 100. One critical finding puts a device in critical, one high finding takes it out of healthy, two high failures put it in poor or worse. Suppressed findings and info notes cost nothing."
	// RollUpRule is how a group, organisation or tenant score is computed.
	RollUpRule = "A group, organisation or tenant scores the weighted mean of its devices (a server counts 3 times), but never more than the top of the band of its worst fifth (by weight), never more than 60 with a critical device and never more than 80 with a poor one."
	// NeedsAttentionRule says which devices count as needing attention.
	NeedsAttentionRule = "A device needs attention when it is poor or critical, or has an unsuppressed high or critical finding."
)
