package health_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
)

// TestBackfillWritesThePastOnly: a backfill writes a device row per past
// snapshot and roll-ups of its group, organisation and tenant at each
// time; it refuses snapshots from the future or out of order, and writes
// nothing at or after an entity's oldest row, so a second run adds nothing.
func TestBackfillWritesThePastOnly(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev := b.h.Devices[0][0][0]
		now := time.Now().UTC()
		past := func(days ...int) []*agentv1.Snapshot {
			var out []*agentv1.Snapshot
			for _, d := range days {
				s := testenv.SampleSnapshot("past", 5, 0)
				s.CollectedTime = timestamppb.New(now.Add(-time.Duration(d) * 24 * time.Hour))
				out = append(out, s)
			}
			return out
		}
		backfill := func(snaps []*agentv1.Snapshot) (health.BackfillStats, error) {
			return b.svc.Backfill(context.Background(), b.h.Tenant, []health.PastDevice{{DeviceID: dev, Snapshots: slices.Values(snaps)}})
		}
		if _, err := backfill(past(3, 5)); err == nil {
			t.Error("snapshots newest first were accepted")
		}
		if _, err := backfill(past(2, -1)); err == nil {
			t.Error("a snapshot from the future was accepted")
		}
		stats, err := backfill(past(10, 9, 8))
		if err != nil {
			t.Fatal(err)
		}
		if stats.Devices != 3 || stats.RollUps != 9 {
			t.Errorf("first backfill: %+v, want 3 device rows and 9 roll-ups (group, organisation, tenant × 3)", stats)
		}
		stats, err = backfill(past(12, 10, 9, 8))
		if err != nil {
			t.Fatal(err)
		}
		if stats.Devices != 1 || stats.RollUps != 3 {
			t.Errorf("second backfill: %+v, want only the older day (1 device row, 3 roll-ups)", stats)
		}
		rows, err := st.Ent.HealthHistory.Query().Where(healthhistory.EntityID(dev)).Count(b.ctx)
		if err != nil || rows != 4 {
			t.Errorf("device history rows: %d, %v; want 4", rows, err)
		}
	})
}

// TestExplainSkipsRepeatedRows: without a from time, Explain explains the
// latest change, however many equal rows (a backfill writes one a day)
// followed it, and dates it when it happened.
func TestExplainSkipsRepeatedRows(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev := b.h.Devices[0][0][0]
		now := time.Now().UTC().Truncate(time.Second)
		fw := analyzer.Finding{CheckID: "security.firewall", Domain: analyzer.Security, Status: analyzer.Fail, Severity: analyzer.High,
			Title: "Firewall is off: Public", Penalty: analyzer.Penalty(analyzer.Fail, analyzer.High)}
		add := func(daysAgo, score int, fs ...analyzer.Finding) {
			raw, err := json.Marshal(append([]analyzer.Finding{}, fs...))
			if err != nil {
				t.Fatal(err)
			}
			err = st.Ent.HealthHistory.Create().SetTenantID(b.h.Tenant).SetKind(healthhistory.KindDevice).SetEntityID(dev).
				SetScore(score).SetBand(string(analyzer.BandOf(score))).SetScored(true).SetFindings(raw).
				SetComputedAt(now.Add(-time.Duration(daysAgo) * 24 * time.Hour)).Exec(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		add(9, 95)
		add(8, 95)
		for d := 7; d >= 1; d-- {
			add(d, 70, fw)
		}
		ex, err := b.svc.Explain(b.ctx, dev, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if ex.FromScore != 95 || ex.ToScore != 70 || len(ex.Changes) != 1 || ex.Changes[0].CheckID != "security.firewall" {
			t.Errorf("latest change: %d → %d, %+v; want 95 → 70 with the firewall", ex.FromScore, ex.ToScore, ex.Changes)
		}
		if want := now.Add(-7 * 24 * time.Hour); !ex.ToTime.Equal(want) {
			t.Errorf("the change is dated %s, want %s (when it happened)", ex.ToTime, want)
		}
	})
}
