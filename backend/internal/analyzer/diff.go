package analyzer

import (
	"fmt"
	"sort"
)

// Change explains one difference between two results of the same device,
// for the history row written when the score changes.
type Change struct {
	// Key is the finding's check id and subject.
	Key     string `json:"key"`
	CheckID string `json:"check_id"`
	Subject string `json:"subject,omitempty"`
	// Kind is "new" (now warn/fail, was not), "resolved" (was warn/fail, is
	// not), "worse" or "better" (penalty grew or shrank), or "changed"
	// (same penalty, different status, severity or suppression).
	Kind string `json:"kind"`
	// Points is the penalty difference in domain points: negative when the
	// device lost points.
	Points int `json:"points"`
	// Before and After are the statuses ("" when the finding did not exist).
	Before Status `json:"before,omitempty"`
	After  Status `json:"after,omitempty"`
	// Text reads like "−20: Firewall is off: Public (new)".
	Text string `json:"text"`
}

// Diff lists what changed between a device's previous result and its
// current one, for findings that cost points in either: new, resolved,
// worse, better. Pass/unknown changes that cost nothing are left out.
// Ordered by points lost first (most negative), then key.
func Diff(prev, cur Result) []Change {
	before := map[string]Finding{}
	for _, f := range prev.Findings {
		before[f.Key()] = f
	}
	after := map[string]Finding{}
	for _, f := range cur.Findings {
		after[f.Key()] = f
	}
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []Change
	for k := range keys {
		b, hadB := before[k]
		a, hadA := after[k]
		bad := func(f Finding, ok bool) bool { return ok && (f.Status == Warn || f.Status == Fail) }
		if !bad(b, hadB) && !bad(a, hadA) {
			continue
		}
		c := Change{Key: k, Points: b.Penalty - a.Penalty}
		if hadB {
			c.Before, c.CheckID, c.Subject = b.Status, b.CheckID, b.Subject
		}
		if hadA {
			c.After, c.CheckID, c.Subject = a.Status, a.CheckID, a.Subject
		}
		title := a.Title
		switch {
		case !bad(b, hadB):
			c.Kind = "new"
		case !bad(a, hadA):
			c.Kind, title = "resolved", b.Title
		case c.Points < 0:
			c.Kind = "worse"
		case c.Points > 0:
			c.Kind = "better"
		case a.Status != b.Status || a.Severity != b.Severity || a.Suppressed != b.Suppressed || a.Title != b.Title:
			c.Kind = "changed"
		default:
			continue
		}
		sign := "±"
		switch {
		case c.Points < 0:
			sign = "−"
		case c.Points > 0:
			sign = "+"
		}
		c.Text = fmt.Sprintf("%s%d: %s (%s)", sign, abs(c.Points), title, c.Kind)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Points != out[j].Points {
			return out[i].Points < out[j].Points
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
