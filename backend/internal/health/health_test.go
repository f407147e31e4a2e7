package health_test

import (
	"context"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
)

// bundle is what every test of this package starts from: a hierarchy, the
// health service with its real collaborators, and ingest to feed it.
type bundle struct {
	st     *store.Store
	svc    *health.Service
	ingest *ingest.Service
	h      *testenv.Hierarchy
	ctx    context.Context
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	jc := testenv.Inserter(t, st)
	box, err := secrets.LoadOrCreate("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pol := policy.NewService(st, jc)
	svc := health.NewService(st, jc, inventory.NewService(st), pol, alert.NewService(st, jc, box, true), testenv.Logger(t))
	h := testenv.NewHierarchy(t, st)
	return &bundle{st: st, svc: svc, ingest: ingest.NewService(st, jc, testenv.Logger(t)), h: h,
		ctx: bypass.AsTenant(context.Background(), h.Tenant, "test: read and write the fixture tenant")}
}

// TestAnalyseTwiceWritesOneHistoryRow: analysing the same snapshot again
// (a job that ran twice) writes the same health and no second history row;
// a device deleted before its analysis runs is skipped without error.
func TestAnalyseTwiceWritesOneHistoryRow(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev, err := st.Ent.Device.Get(b.ctx, b.h.Devices[0][0][0])
		if err != nil {
			t.Fatal(err)
		}
		ack, err := b.ingest.Submit(b.ctx, dev, testenv.SampleSnapshot(dev.Hostname, 5, 2))
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := b.svc.AnalyzeDevice(context.Background(), b.h.Tenant, dev.ID, ack.SnapshotID); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := st.Ent.HealthHistory.Query().Where(healthhistory.EntityID(dev.ID)).Count(b.ctx)
		if err != nil || rows != 1 {
			t.Errorf("history rows after two analyses: %d, %v; want 1", rows, err)
		}
		if n, _ := st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceID(dev.ID), devicehealth.Scored(true)).Count(b.ctx); n != 1 {
			t.Errorf("scored health rows: %d, want 1", n)
		}
		gone := b.h.Devices[1][1][1]
		if err := st.Ent.Device.DeleteOneID(gone).Exec(b.ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.AnalyzeDevice(context.Background(), b.h.Tenant, gone, ack.SnapshotID); err != nil {
			t.Errorf("analysis of a deleted device: %v, want nothing done", err)
		}
	})
}

// TestRollUpCountsOnlyItsDevices: a group's roll-up counts its own devices
// (an unanalysed device counts, unscored), and a roll-up of a group that is
// gone writes nothing.
func TestRollUpCountsOnlyItsDevices(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		group := b.h.Groups[1][0]
		if err := b.svc.RollUp(context.Background(), b.h.Tenant, "group", group); err != nil {
			t.Fatal(err)
		}
		row, err := st.Ent.EntityHealth.Query().Where(entityhealth.EntityID(group)).Only(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if row.DeviceCount != 2 || row.Scored {
			t.Errorf("roll-up of two unanalysed devices: %d devices, scored %t; want 2, unscored", row.DeviceCount, row.Scored)
		}
		gone := b.h.Groups[1][1]
		for _, d := range b.h.Devices[1][1] {
			if err := st.Ent.Device.DeleteOneID(d).Exec(b.ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Ent.Group.DeleteOneID(gone).Exec(b.ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.RollUp(context.Background(), b.h.Tenant, "group", gone); err != nil {
			t.Fatalf("roll-up of a deleted group: %v", err)
		}
		if n, _ := st.Ent.EntityHealth.Query().Where(entityhealth.EntityID(gone)).Count(b.ctx); n != 0 {
			t.Errorf("a deleted group got a health row")
		}
	})
}
