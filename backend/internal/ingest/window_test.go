package ingest

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// TestEventRows: groups are normalised to their deduplication key — a
// missing last time becomes the first time, else the collection time;
// groups that ended before the window are dropped; a group listed twice in
// one snapshot is one row with the larger count; sub-microsecond times
// compare equal to what the databases keep.
func TestEventRows(t *testing.T) {
	collected := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	cutoff := collected.Add(-7 * 24 * time.Hour)
	at := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(collected.Add(d)) }
	disk := func(n int64) *agentv1.EventLogGroup {
		return &agentv1.EventLogGroup{Log: "System", Source: "disk", EventId: 7, Level: "error", Count: n,
			FirstTime: at(-time.Hour), LastTime: timestamppb.New(collected.Add(-time.Minute).Add(300 * time.Nanosecond))}
	}
	rows := eventRows([]*agentv1.EventLogGroup{
		disk(3), disk(5),
		{Log: "System", Source: "x", Level: "warning", Count: 1, FirstTime: at(-2 * time.Hour)},
		{Log: "System", Source: "y", Level: "warning", Count: 1},
		{Log: "System", Source: "old", Level: "error", Count: 9, FirstTime: at(-9 * 24 * time.Hour), LastTime: at(-8 * 24 * time.Hour)},
		{Log: "Security", Source: "a", EventId: 4625, Level: "warning", Count: 2, SourceAddress: "203.0.113.1", FirstTime: at(-time.Hour), LastTime: at(-time.Hour)},
		{Log: "Security", Source: "a", EventId: 4625, Level: "warning", Count: 4, SourceAddress: "203.0.113.2", FirstTime: at(-time.Hour), LastTime: at(-time.Hour)},
	}, collected, cutoff)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (duplicate merged, old dropped): %+v", len(rows), rows)
	}
	if rows[0].count != 5 || rows[0].last != collected.Add(-time.Minute) {
		t.Errorf("merged disk group: count %d, last %v", rows[0].count, rows[0].last)
	}
	if !rows[1].last.Equal(collected.Add(-2 * time.Hour)) {
		t.Errorf("no last time: %v, want the first time", rows[1].last)
	}
	if !rows[2].last.Equal(collected) {
		t.Errorf("no times: last %v, want the collection time", rows[2].last)
	}
	if rows[3].address == rows[4].address {
		t.Error("groups from two addresses were merged")
	}
}
