package health_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/eventloggroup"
)

// TestEventWindowAcrossSnapshots: agents send only the events since their
// last collection. A disk error reported by one snapshot still counts in the
// score after three more snapshots that do not carry it (each with other
// events of its own), a group reported again by an overlapping collection
// is stored and counted once, and the error stops counting once it is more
// than 7 days old. A twin device receives the same snapshots without the
// disk error, so the scores can be compared.
func TestEventWindowAcrossSnapshots(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		start := time.Now().UTC().Truncate(time.Second)
		now := start
		clock := func() time.Time { return now }
		b.ingest.SetClock(clock)
		b.svc.SetClock(clock)

		sick, err := st.Ent.Device.Get(b.ctx, b.h.Devices[0][0][0])
		if err != nil {
			t.Fatal(err)
		}
		twin, err := st.Ent.Device.Get(b.ctx, b.h.Devices[0][0][1])
		if err != nil {
			t.Fatal(err)
		}
		diskErr := &agentv1.EventLogGroup{Log: "journal", Source: "kernel", Level: "error", Count: 4,
			FirstTime: timestamppb.New(start.Add(-12 * time.Minute)), LastTime: timestamppb.New(start.Add(-10 * time.Minute)),
			SampleMessage: "blk_update_request: I/O error, dev sda, sector 123456 op 0x0:(READ)"}
		// snapshot sends one collection: a benign warning of its own and,
		// for the sick device, the given extra groups.
		snapshot := func(d *ent.Device, extra ...*agentv1.EventLogGroup) {
			t.Helper()
			s := testenv.SampleSnapshot(d.Hostname, 3, 0)
			s.CollectedTime = timestamppb.New(now)
			s.EventLogs = []*agentv1.EventLogGroup{{Log: "journal", Source: "cron", Level: "warning", Count: 1,
				FirstTime: timestamppb.New(now.Add(-5 * time.Minute)), LastTime: timestamppb.New(now.Add(-5 * time.Minute)),
				SampleMessage: "pam_unix(cron:session): session opened"}}
			if d.ID == sick.ID {
				s.EventLogs = append(s.EventLogs, extra...)
			}
			ack, err := b.ingest.Submit(b.ctx, d, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.svc.AnalyzeDevice(context.Background(), b.h.Tenant, d.ID, ack.SnapshotID); err != nil {
				t.Fatal(err)
			}
		}
		collect := func(extra ...*agentv1.EventLogGroup) {
			snapshot(sick, extra...)
			snapshot(twin)
		}
		health := func(id uuid.UUID) (int, analyzer.Finding) {
			t.Helper()
			row, err := st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceID(id)).Only(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var fs []analyzer.Finding
			if err := json.Unmarshal(row.Findings, &fs); err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.CheckID == "logs.disk_hardware_events" {
					return row.Score, f
				}
			}
			t.Fatal("no disk event finding")
			return 0, analyzer.Finding{}
		}
		diskGroups := func() int {
			t.Helper()
			n, err := st.Ent.EventLogGroup.Query().Where(eventloggroup.DeviceID(sick.ID), eventloggroup.Source("kernel")).Count(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		collect(diskErr)
		for i := 1; i <= 3; i++ {
			now = start.Add(time.Duration(i) * 15 * time.Minute)
			if i == 1 {
				collect(diskErr) // an overlapping collection reports it again
			} else {
				collect()
			}
		}
		score, f := health(sick.ID)
		twinScore, _ := health(twin.ID)
		if f.Status == analyzer.Pass || f.Penalty == 0 {
			t.Errorf("three snapshots after the disk error: %s, penalty %d; want it still counted", f.Status, f.Penalty)
		}
		if score >= twinScore {
			t.Errorf("score %d with a disk error three snapshots ago, twin without it %d", score, twinScore)
		}
		if got := evidenceValue(f, "disk error events"); got != "4" {
			t.Errorf("disk error events %q after it was reported twice, want 4 (stored once)", got)
		}
		if n := diskGroups(); n != 1 {
			t.Errorf("%d stored disk error groups, want 1", n)
		}
		// The inventory lists the window: the disk error and every
		// collection's own warning.
		rows, _, err := inventory.NewService(st).EventLogs(b.ctx, sick.ID, "", "", 50, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 {
			t.Errorf("inventory lists %d event groups, want 5 (4 collections' warnings and the disk error)", len(rows))
		}

		// Eight days on, the error is out of the window and pruned.
		now = start.Add(8 * 24 * time.Hour)
		collect()
		score, f = health(sick.ID)
		twinScore, _ = health(twin.ID)
		if f.Status != analyzer.Pass {
			t.Errorf("8 days after the disk error: %s %q; want pass", f.Status, f.Title)
		}
		if score != twinScore {
			t.Errorf("score %d 8 days after the disk error, twin %d; want equal", score, twinScore)
		}
		if n := diskGroups(); n != 0 {
			t.Errorf("%d disk error groups kept past the window, want 0", n)
		}
	})
}

func evidenceValue(f analyzer.Finding, label string) string {
	for _, e := range f.Evidence {
		if e.Label == label {
			return e.Value
		}
	}
	return ""
}
