package server_test

import (
	"testing"

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
		tok := ten.Login(t, ten.Owner)
		get := func(deviceID string) *testenv.Response {
			t.Helper()
			res := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/GetDeviceInventory", tok, map[string]any{"deviceId": deviceID})
			res.Must(t)
			return res
		}
		count := func(res *testenv.Response) float64 {
			n, _ := res.Body["snapshotCount"].(float64)
			return n
		}
		// The fixture's agent sent one snapshot; two more and a retry.
		retry := testenv.SnapshotJSON(testenv.SampleSnapshot("count-agent", 5, 3))
		testenv.Call(t, srv.URL, submit, ten.Agent.Token, retry).Must(t)
		testenv.Call(t, srv.URL, submit, ten.Agent.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("count-agent", 6, 3))).Must(t)
		testenv.Call(t, srv.URL, submit, ten.Agent.Token, retry).Must(t)
		if n := count(get(ten.Agent.DeviceID)); n != 3 {
			t.Fatalf("snapshot count %v, want 3", n)
		}
		// A device that never reported has no snapshot and a count of 0.
		if res := get(ten.Devices[0]); count(res) != 0 || res.Body["snapshot"] != nil {
			t.Fatalf("silent device: %s", truncate(res.Raw))
		}
		// The read takes the counter from the device row.
		if _, err := st.DB.Exec(`UPDATE devices SET snapshot_count = 1000 WHERE id = '` + ten.Agent.DeviceID + `'`); err != nil {
			t.Fatal(err)
		}
		if res := get(ten.Agent.DeviceID); count(res) != 1000 || res.Str("snapshot.os.hostname") != "count-agent" {
			t.Fatalf("after setting the counter: count %v, %s", count(res), truncate(res.Raw))
		}
	})
}
