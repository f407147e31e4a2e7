package ingest_test

import (
	"context"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/snapshot"
)

// bundle is what every test of this package starts from: a hierarchy, the
// ingest service, and a context acting as the agent's tenant.
type bundle struct {
	st  *store.Store
	svc *ingest.Service
	h   *testenv.Hierarchy
	ctx context.Context
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	jc := testenv.Inserter(t, st)
	h := testenv.NewHierarchy(t, st)
	return &bundle{st: st, svc: ingest.NewService(st, jc, testenv.Logger(t)), h: h,
		ctx: bypass.AsTenant(context.Background(), h.Tenant, "test: act as the agent's tenant")}
}

func (b *bundle) device(t *testing.T, o, g, d int) *ent.Device {
	t.Helper()
	dev, err := b.st.Ent.Device.Get(b.ctx, b.h.Devices[o][g][d])
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

// TestSnapshotAfterMoveCarriesNewOrganisation: the device an agent's token
// loaded before the move still names the old organisation; what ingest
// writes carries where the device is when the transaction runs.
func TestSnapshotAfterMoveCarriesNewOrganisation(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		stale := b.device(t, 0, 0, 0) // as the token check loaded it
		newOrg, newGroup := b.h.Organisations[1], b.h.Groups[1][0]
		if err := st.Ent.Device.UpdateOneID(stale.ID).SetOrganisationID(newOrg).SetGroupID(newGroup).Exec(b.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Submit(b.ctx, stale, testenv.SampleSnapshot(stale.Hostname, 4, 2)); err != nil {
			t.Fatal(err)
		}
		wrong, err := st.Ent.InstalledSoftware.Query().
			Where(installedsoftware.DeviceID(stale.ID), installedsoftware.OrganisationIDNEQ(newOrg)).Count(b.ctx)
		if err != nil || wrong != 0 {
			t.Errorf("software rows under the old organisation: %d, %v", wrong, err)
		}
		snaps, err := st.Ent.Snapshot.Query().Where(snapshot.DeviceID(stale.ID), snapshot.OrganisationID(newOrg)).Count(b.ctx)
		if err != nil || snaps != 1 {
			t.Errorf("snapshots under the new organisation: %d, %v; want 1", snaps, err)
		}
	})
}

// TestSnapshotOfDeletedDevice: a device deleted while its agent still holds
// a token is told to enrol again, and nothing is stored or queued.
func TestSnapshotOfDeletedDevice(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev := b.device(t, 1, 1, 1)
		if err := st.Ent.Device.DeleteOneID(dev.ID).Exec(b.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Submit(b.ctx, dev, testenv.SampleSnapshot(dev.Hostname, 2, 1)); !apperr.Is(err, apperr.KindUnauthenticated) {
			t.Fatalf("snapshot of a deleted device: %v, want unauthenticated", err)
		}
		if n, _ := st.Ent.Snapshot.Query().Where(snapshot.DeviceID(dev.ID)).Count(b.ctx); n != 0 {
			t.Errorf("snapshots stored: %d", n)
		}
		if jobs := testenv.QueuedJobs(t, st); len(jobs) != 0 {
			t.Errorf("jobs queued: %v", jobs)
		}
	})
}

// TestSameSnapshotTwice: a retried snapshot is acknowledged as a duplicate
// with the first acknowledgement's time, and analysed once.
func TestSameSnapshotTwice(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev := b.device(t, 0, 1, 0)
		snap := testenv.SampleSnapshot(dev.Hostname, 3, 1)
		first, err := b.svc.Submit(b.ctx, dev, snap)
		if err != nil {
			t.Fatal(err)
		}
		again, err := b.svc.Submit(b.ctx, dev, snap)
		if err != nil {
			t.Fatal(err)
		}
		if first.Duplicate || !again.Duplicate || !again.ReceivedAt.Equal(first.ReceivedAt) || again.SnapshotID != first.SnapshotID {
			t.Errorf("acknowledgements: first %+v, again %+v", first, again)
		}
		analyses := 0
		for _, j := range testenv.QueuedJobs(t, st) {
			if j.Kind == "analyze_device" {
				analyses++
			}
		}
		if analyses != 1 {
			t.Errorf("%d analyses queued, want 1", analyses)
		}
	})
}
