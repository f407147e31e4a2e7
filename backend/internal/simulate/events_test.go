package simulate

import (
	"testing"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// TestEventsRepeatAcrossSnapshots: two snapshots of one machine a check-in
// apart report an occurrence they share as the same group (same span and
// count), so the server's event window stores it once; nothing reported is
// older than the window.
func TestEventsRepeatAcrossSnapshots(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var m Machine
	for _, c := range Fleet(7, "E", 120) {
		if c.Has(FailedLogons) && c.Profile.Platform == "linux" {
			m = c
			break
		}
	}
	if m.Hostname == "" {
		t.Fatal("no Linux machine with failed logons in the fleet")
	}
	key := func(g *agentv1.EventLogGroup) string {
		return g.GetSource() + g.GetSourceAddress() + g.GetFirstTime().AsTime().String() + g.GetLastTime().AsTime().String()
	}
	first := map[string]int64{}
	for _, g := range m.Snapshot(now, 0).GetEventLogs() {
		first[key(g)] = g.GetCount()
		if now.Sub(g.GetFirstTime().AsTime()) > eventWeek {
			t.Errorf("group %s starts before the window", key(g))
		}
	}
	shared := 0
	for _, g := range m.Snapshot(now.Add(15*time.Minute), 1).GetEventLogs() {
		if n, ok := first[key(g)]; ok {
			shared++
			if n != g.GetCount() {
				t.Errorf("group %s: count %d, then %d", key(g), n, g.GetCount())
			}
		}
	}
	if shared == 0 || shared < len(first)-3 {
		t.Errorf("%d of %d groups reported again a check-in later", shared, len(first))
	}
}
