package server_test

import (
	"context"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// TestInventorySnapshotCount: the inventory's snapshot count is the
// device's counter, kept by ingest in each snapshot's transaction (a
// retried snapshot does not count twice), not a count of the device's
// snapshot rows on every read.
func TestInventorySnapshotCount(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "count")
		own := srv.Clients(ten.Login(t, ten.Owner))
		get := func(deviceID string) *v1.GetDeviceInventoryResponse {
			t.Helper()
			return must(own.Inventory.GetDeviceInventory(context.Background(), &v1.GetDeviceInventoryRequest{DeviceId: deviceID}))(t)
		}
		// The fixture's agent sent one snapshot; two more and a retry.
		retry := testenv.SampleSnapshot("count-agent", 5, 3)
		submitSnapshot(t, srv, ten.Agent.Token, retry)
		submitSnapshot(t, srv, ten.Agent.Token, testenv.SampleSnapshot("count-agent", 6, 3))
		submitSnapshot(t, srv, ten.Agent.Token, retry)
		if n := get(ten.Agent.DeviceID).GetSnapshotCount(); n != 3 {
			t.Fatalf("snapshot count %v, want 3", n)
		}
		// A device that never reported has no snapshot and a count of 0.
		if res := get(ten.Devices[0]); res.GetSnapshotCount() != 0 || res.GetSnapshot() != nil {
			t.Fatalf("silent device: %s", pjt(res))
		}
		// The read takes the counter from the device row.
		if _, err := st.DB.Exec(`UPDATE devices SET snapshot_count = 1000 WHERE id = '` + ten.Agent.DeviceID + `'`); err != nil {
			t.Fatal(err)
		}
		if res := get(ten.Agent.DeviceID); res.GetSnapshotCount() != 1000 || res.GetSnapshot().GetOs().GetHostname() != "count-agent" {
			t.Fatalf("after setting the counter: count %v, %s", res.GetSnapshotCount(), pjt(res))
		}
	})
}
