package server_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	createKey   = "wegweiser.v1.EnrolmentService/CreateEnrolmentKey"
	listKeys    = "wegweiser.v1.EnrolmentService/ListEnrolmentKeys"
	revokeKey   = "wegweiser.v1.EnrolmentService/RevokeEnrolmentKey"
	revokeToken = "wegweiser.v1.EnrolmentService/RevokeDeviceToken"
)

func enrolWith(t *testing.T, url, secret, host string) *testenv.Response {
	return testenv.Call(t, url, enroll, "", map[string]any{"enrolmentKey": secret, "hostname": host, "platform": "windows", "agentVersion": "1"})
}

// TestEnrolmentKeys: use limits hold under concurrency, revoked and expired
// keys refuse, secrets are never listed, install commands are given, and a
// revoked device token locks the agent out.
func TestEnrolmentKeys(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "keys")
		owner := ten.Login(t, ten.Owner)

		key := testenv.Call(t, srv.URL, createKey, owner, map[string]any{"organisationId": ten.Organisations[1], "description": "one use", "maxUses": 1})
		key.Must(t)
		secret := key.Str("secret")
		cmds := key.Body["installCommands"].([]any)
		if len(cmds) != 3 || !strings.Contains(cmds[0].(map[string]any)["command"].(string), secret) {
			t.Fatalf("install commands: %v", cmds)
		}
		// Three agents race for one use: exactly one gets in.
		var wg sync.WaitGroup
		codes := make([]string, 3)
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = enrolWith(t, srv.URL, secret, "race").Code }()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case "ok":
				ok++
			case "permission_denied":
			default:
				t.Fatalf("enrol race: unexpected %s", c)
			}
		}
		if ok != 1 {
			t.Fatalf("%d agents enrolled with a one-use key", ok)
		}
		list := testenv.Call(t, srv.URL, listKeys, owner, map[string]any{"includeInactive": true})
		if strings.Contains(string(list.Raw), secret) || strings.Contains(string(list.Raw), "secretHash") {
			t.Fatal("a key listing contains the secret")
		}

		k2 := testenv.Call(t, srv.URL, createKey, owner, map[string]any{"organisationId": ten.Organisations[1]})
		testenv.Call(t, srv.URL, revokeKey, owner, map[string]any{"id": k2.Str("key.id")}).Must(t)
		if c := enrolWith(t, srv.URL, k2.Str("secret"), "late").Code; c != "permission_denied" {
			t.Fatalf("revoked key: %s", c)
		}
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		if c := testenv.Call(t, srv.URL, createKey, owner, map[string]any{"organisationId": ten.Organisations[1], "expireTime": past}).Code; c != "invalid_argument" {
			t.Fatalf("key expiring in the past: %s", c)
		}
		if c := enrolWith(t, srv.URL, "wwe_made-up", "x").Code; c != "permission_denied" {
			t.Fatalf("unknown key: %s", c)
		}
		if c := enrolWith(t, srv.URL, secret, "").Code; c != "invalid_argument" {
			t.Fatalf("empty hostname: %s", c)
		}

		// Technicians cannot manage keys.
		tech := ten.Login(t, ten.Members[viewer.RoleTechnician])
		if c := testenv.Call(t, srv.URL, createKey, tech, map[string]any{"organisationId": ten.Organisations[0]}).Code; c != "permission_denied" {
			t.Fatalf("technician creating a key: %s", c)
		}

		// Revoking a device token locks its agent out.
		testenv.Call(t, srv.URL, heartbeat, ten.Agent.Token, `{}`).Must(t)
		testenv.Call(t, srv.URL, revokeToken, owner, map[string]any{"deviceId": ten.Agent.DeviceID}).Must(t)
		if c := testenv.Call(t, srv.URL, heartbeat, ten.Agent.Token, `{}`).Code; c != "unauthenticated" {
			t.Fatalf("revoked device token: %s", c)
		}
	})
}

// TestInventory: the latest snapshot comes back whole, software and event
// logs page and filter, fleet software counts devices, and a customer
// limited to one organisation sees nothing of another.
func TestInventory(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "inv")
		owner := ten.Login(t, ten.Owner)
		a := ten.Enrol(t, "inv-a")
		b := ten.Enrol(t, "inv-b")
		sa := testenv.SampleSnapshot("inv-a", 250, 30)
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(sa)).Must(t)
		testenv.Call(t, srv.URL, submit, b.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("inv-b", 10, 0))).Must(t)

		inv := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/GetDeviceInventory", owner, map[string]any{"deviceId": a.DeviceID})
		inv.Must(t)
		if inv.Str("snapshot.snapshotId") != sa.SnapshotId || inv.Str("snapshot.os.hostname") != "inv-a" || inv.Str("snapshot.hardware.model") != "OptiPlex 7010" {
			t.Fatalf("inventory: %s", truncate(inv.Raw))
		}
		if n := len(inv.Body["snapshot"].(map[string]any)["software"].([]any)); n != 250 {
			t.Fatalf("inventory has %d programs, want 250", n)
		}

		// Page through software 100 at a time: 250 distinct, in name order.
		var names []string
		token := ""
		for {
			res := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListDeviceSoftware", owner, map[string]any{"deviceId": a.DeviceID, "pageSize": 100, "pageToken": token})
			res.Must(t)
			for _, sw := range res.Body["software"].([]any) {
				names = append(names, sw.(map[string]any)["name"].(string))
			}
			if token = res.Str("nextPageToken"); token == "" {
				break
			}
		}
		if len(names) != 250 || names[0] != "package-0000" || names[249] != "package-0249" {
			t.Fatalf("paged software: %d names, first %q, last %q", len(names), names[0], names[len(names)-1])
		}
		search := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListDeviceSoftware", owner, map[string]any{"deviceId": a.DeviceID, "query": "PACKAGE-012"})
		if n := len(search.Body["software"].([]any)); n != 10 {
			t.Fatalf("search found %d, want 10", n)
		}
		errs := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListDeviceEventLogs", owner, map[string]any{"deviceId": a.DeviceID, "level": "error"})
		if n := len(errs.Body["eventLogs"].([]any)); n != 10 {
			t.Fatalf("error groups: %d, want 10", n)
		}
		if c := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListDeviceEventLogs", owner, map[string]any{"deviceId": a.DeviceID, "level": "fatal"}).Code; c != "invalid_argument" {
			t.Fatalf("bad level: %s", c)
		}

		fleet := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListSoftware", owner, map[string]any{"query": "package-0001"})
		sw := fleet.Body["software"].([]any)
		if len(sw) != 1 || sw[0].(map[string]any)["deviceCount"].(float64) != 3 {
			// a, b and the fixture's own agent (which sends 5 packages).
			t.Fatalf("fleet software: %s", fleet.Raw)
		}

		// The customer is limited to organisation 0; devices a and b are in
		// organisation 0 too (Enrol uses it), so move b out and check.
		testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/MoveDevice", owner, map[string]any{"id": b.DeviceID, "organisationId": ten.Organisations[1]}).Must(t)
		cust := ten.Login(t, ten.Members[viewer.RoleCustomer])
		if c := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/GetDeviceInventory", cust, map[string]any{"deviceId": b.DeviceID}).Code; c != "not_found" {
			t.Fatalf("customer reading another organisation's device: %s", c)
		}
		testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/GetDeviceInventory", cust, map[string]any{"deviceId": a.DeviceID}).Must(t)
	})
}
