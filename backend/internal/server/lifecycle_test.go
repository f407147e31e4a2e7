package server_test

import (
	"context"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/migrate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// rowsWhere counts the rows of table whose column equals value.
func rowsWhere(t *testing.T, st *store.Store, table, column string, value any) int {
	t.Helper()
	q, args := entsql.Dialect(st.Dialect).Select(entsql.Count("*")).From(entsql.Table(table)).
		Where(entsql.EQ(column, value)).Query()
	var n int
	if err := st.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("count %s.%s: %v", table, column, err)
	}
	return n
}

// hasColumn reports whether an ent table has a column.
func hasColumn(tab *schema.Table, name string) bool {
	for _, c := range tab.Columns {
		if c.Name == name {
			return true
		}
	}
	return false
}

// deviceRefs are the columns other than device_id that name a device.
var deviceRefs = []struct{ table, kindCol, kind, idCol string }{
	{"health_histories", "kind", "device", "entity_id"},
	{"policy_overrides", "level", "device", "target_id"},
	{"policy_guidances", "level", "device", "target_id"},
	{"notifications", "entity_kind", "device", "entity_id"},
}

// deviceRowsOutside counts, per table, the rows of a device's data whose
// organisation is not org.
func deviceRowsOutside(t *testing.T, st *store.Store, deviceID, org uuid.UUID) map[string]int {
	t.Helper()
	out := map[string]int{}
	count := func(table string, preds ...*entsql.Predicate) {
		q, args := entsql.Dialect(st.Dialect).Select(entsql.Count("*")).From(entsql.Table(table)).
			Where(entsql.And(append(preds, entsql.NEQ("organisation_id", org))...)).Query()
		var n int
		if err := st.DB.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		if n > 0 {
			out[table] = n
		}
	}
	for _, tab := range migrate.Tables {
		if hasColumn(tab, "device_id") && hasColumn(tab, "organisation_id") {
			count(tab.Name, entsql.EQ("device_id", deviceID))
		}
	}
	for _, r := range deviceRefs {
		count(r.table, entsql.EQ(r.kindCol, r.kind), entsql.EQ(r.idCol, deviceID))
	}
	return out
}

// deviceRowsLeft counts, per table, the rows still naming a device.
func deviceRowsLeft(t *testing.T, st *store.Store, deviceID uuid.UUID) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tab := range migrate.Tables {
		if hasColumn(tab, "device_id") {
			if n := rowsWhere(t, st, tab.Name, "device_id", deviceID); n > 0 {
				out[tab.Name] = n
			}
		}
	}
	for _, r := range deviceRefs {
		if n := rowsWhere(t, st, r.table, r.idCol, deviceID); n > 0 {
			out[r.table] = n
		}
	}
	if n := rowsWhere(t, st, "devices", "id", deviceID); n > 0 {
		out["devices"] = n
	}
	return out
}

// sendSecretSnapshot sends a snapshot whose software list holds a package
// name found nowhere else.
func sendSecretSnapshot(t *testing.T, srv *testenv.Server, a testenv.Agent, host, secret string) {
	t.Helper()
	snap := testenv.SampleSnapshot(host, 3, 3)
	snap.Software[0].Name = secret
	testenv.Call(t, srv.URL, "wegweiser.agent.v1.AgentService/SubmitSnapshot", a.Token, testenv.SnapshotJSON(snap)).Must(t)
}

// TestMovedDeviceDataFollows is the hardening issue's defect 1: after a
// move, every row of the device's data carries the new organisation, a
// customer of the old organisation sees nothing of it (by name, not only by
// id), one of the new organisation sees it, and both parents are rolled up.
func TestMovedDeviceDataFollows(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "mover")
		owner := ten.Login(t, ten.Owner)
		a := ten.Agent
		host := "mover-agent"
		secret := "secret-ledger-" + uuid.NewString()[:8]
		sendSecretSnapshot(t, srv, a, host, secret)
		testenv.Call(t, srv.URL, "wegweiser.v1.PolicyService/SetOverride", owner, map[string]any{
			"scope": map[string]any{"level": "POLICY_LEVEL_DEVICE", "id": a.DeviceID}, "checkId": "system.uptime",
			"suppress": true, "reason": "device-level fixture",
		}).Must(t)
		testenv.SettleJobs(t, srv)

		// A customer of organisation 0 sees the device's software before.
		customer := ten.Login(t, ten.Members[viewer.RoleCustomer])
		sw := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListSoftware", customer, map[string]any{"query": secret})
		if !strings.Contains(string(sw.Raw), secret) {
			t.Fatalf("before the move the customer should see %s: %s", secret, sw.Raw)
		}

		dest := ten.Groups[2] // first group of organisation 1
		testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/MoveDevice", owner, map[string]any{"id": a.DeviceID, "groupId": dest}).Must(t)
		testenv.SettleJobs(t, srv)

		org1 := uuid.MustParse(ten.Organisations[1])
		if left := deviceRowsOutside(t, st, uuid.MustParse(a.DeviceID), org1); len(left) > 0 {
			t.Errorf("rows of the moved device still outside its new organisation: %v", left)
		}
		// The old organisation's customer sees nothing of the device.
		for _, c := range []struct {
			proc string
			body map[string]any
		}{
			{"wegweiser.v1.InventoryService/ListSoftware", map[string]any{}},
			{"wegweiser.v1.InventoryService/ListSoftware", map[string]any{"query": secret}},
			{"wegweiser.v1.DeviceService/ListDevices", map[string]any{}},
			{"wegweiser.v1.HealthService/ListWorstDevices", map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_ORGANISATION", "id": ten.Organisations[0]}}},
			{"wegweiser.v1.HealthService/ListFindings", map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_ORGANISATION", "id": ten.Organisations[0]}}},
			{"wegweiser.v1.AlertService/ListNotifications", map[string]any{}},
			{"wegweiser.v1.PolicyService/ListPolicies", map[string]any{}},
		} {
			res := testenv.Call(t, srv.URL, c.proc, customer, c.body)
			for _, leak := range []string{secret, host, a.DeviceID} {
				if strings.Contains(string(res.Raw), leak) {
					t.Errorf("%s as the old organisation's customer shows %q after the move: %s", c.proc, leak, res.Raw)
				}
			}
		}
		for _, proc := range []string{"wegweiser.v1.InventoryService/GetDeviceInventory", "wegweiser.v1.InventoryService/ListDeviceSoftware"} {
			if res := testenv.Call(t, srv.URL, proc, customer, map[string]any{"deviceId": a.DeviceID}); res.Code != "not_found" {
				t.Errorf("%s of the moved device as the old organisation's customer: %s, want not_found", proc, res.Code)
			}
		}
		// The owner finds the software under the new organisation.
		sw = testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListSoftware", owner, map[string]any{"organisationId": ten.Organisations[1], "query": secret})
		if !strings.Contains(string(sw.Raw), secret) {
			t.Errorf("the new organisation's software list lacks %s: %s", secret, sw.Raw)
		}
		// Both old and new group are rolled up: the old group lost a device.
		oldGroup := testenv.Call(t, srv.URL, "wegweiser.v1.HealthService/GetHealth", owner, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_GROUP", "id": ten.Groups[0]}})
		newGroup := testenv.Call(t, srv.URL, "wegweiser.v1.HealthService/GetHealth", owner, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_GROUP", "id": dest}})
		if strings.Contains(string(oldGroup.Raw), host) || !strings.Contains(string(newGroup.Raw), a.DeviceID) && !strings.Contains(string(newGroup.Raw), host) {
			t.Errorf("roll-ups do not reflect the move:\nold group: %s\nnew group: %s", oldGroup.Raw, newGroup.Raw)
		}
		// A snapshot after the move is stored under the new organisation.
		sendSecretSnapshot(t, srv, a, host, secret+"-2")
		testenv.SettleJobs(t, srv)
		if left := deviceRowsOutside(t, st, uuid.MustParse(a.DeviceID), org1); len(left) > 0 {
			t.Errorf("rows written after the move outside the new organisation: %v", left)
		}
		if n := rowsWhere(t, st, "audit_events", "action", "device.move"); n != 1 {
			t.Errorf("audit events for the move: %d, want 1", n)
		}
	})
}

// TestDeletionRemovesData is the hardening issue's defect 2: deleting a
// device, a group or an organisation leaves none of its data behind, stops
// its token and keys, raises no alert for it later and is audited.
func TestDeletionRemovesData(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "deleter")
		owner := ten.Login(t, ten.Owner)
		a := ten.Agent
		secret := "secret-payroll-" + uuid.NewString()[:8]
		sendSecretSnapshot(t, srv, a, "deleter-agent", secret)
		testenv.Call(t, srv.URL, "wegweiser.v1.PolicyService/SetOverride", owner, map[string]any{
			"scope": map[string]any{"level": "POLICY_LEVEL_DEVICE", "id": a.DeviceID}, "checkId": "system.uptime",
			"suppress": true, "reason": "device-level fixture",
		}).Must(t)
		testenv.SettleJobs(t, srv)
		devID := uuid.MustParse(a.DeviceID)
		if left := deviceRowsLeft(t, st, devID); left["device_healths"] == 0 || left["installed_softwares"] == 0 {
			t.Fatalf("fixture: the device has no health or software rows: %v", left)
		}

		// Device.
		testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/DeleteDevice", owner, map[string]any{"id": a.DeviceID}).Must(t)
		testenv.SettleJobs(t, srv)
		if left := deviceRowsLeft(t, st, devID); len(left) > 0 {
			t.Errorf("rows of the deleted device remain: %v", left)
		}
		sw := testenv.Call(t, srv.URL, "wegweiser.v1.InventoryService/ListSoftware", owner, map[string]any{"query": secret})
		if strings.Contains(string(sw.Raw), secret) {
			t.Errorf("the deleted device's software still counts: %s", sw.Raw)
		}
		if res := testenv.Call(t, srv.URL, "wegweiser.agent.v1.AgentService/Heartbeat", a.Token, map[string]any{}); res.Code != "unauthenticated" {
			t.Errorf("the deleted device's token: %s, want unauthenticated", res.Code)
		}
		// The stale sweep raises nothing for it.
		if err := srv.App.Health.SweepStale(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := rowsWhere(t, st, "notifications", "entity_id", devID); n != 0 {
			t.Errorf("notifications about the deleted device: %d", n)
		}

		// Group: its keys go, its devices stay without a group.
		group := ten.Groups[1]
		key := testenv.Call(t, srv.URL, "wegweiser.v1.EnrolmentService/CreateEnrolmentKey", owner, map[string]any{
			"organisationId": ten.Organisations[0], "groupId": group, "description": "group key",
		})
		secretKey := key.Str("secret")
		testenv.Call(t, srv.URL, "wegweiser.v1.TenantService/DeleteGroup", owner, map[string]any{"id": group}).Must(t)
		testenv.SettleJobs(t, srv)
		if n := rowsWhere(t, st, "enrolment_keys", "group_id", uuid.MustParse(group)); n != 0 {
			t.Errorf("enrolment keys of the deleted group: %d", n)
		}
		if n := rowsWhere(t, st, "entity_healths", "entity_id", uuid.MustParse(group)); n != 0 {
			t.Errorf("health of the deleted group: %d", n)
		}
		if res := testenv.Call(t, srv.URL, "wegweiser.agent.v1.AgentService/Enroll", "", map[string]any{
			"enrolmentKey": secretKey, "hostname": "late", "platform": "linux", "agentVersion": "test",
		}); res.Code != "unauthenticated" && res.Code != "permission_denied" && res.Code != "not_found" {
			t.Errorf("enrolling with the deleted group's key: %s (%s)", res.Code, res.Raw)
		}

		// Organisation: nothing carrying its id remains.
		org := uuid.MustParse(ten.Organisations[0])
		testenv.Call(t, srv.URL, "wegweiser.v1.TenantService/DeleteOrganisation", owner, map[string]any{"id": ten.Organisations[0], "force": true}).Must(t)
		testenv.SettleJobs(t, srv)
		for _, tab := range migrate.Tables {
			if !hasColumn(tab, "organisation_id") || devicedata.Tables[tab.Name] == devicedata.Kept || devicedata.Tables[tab.Name] == devicedata.FollowsKept {
				continue
			}
			if n := rowsWhere(t, st, tab.Name, "organisation_id", org); n != 0 {
				t.Errorf("%d rows of %s still carry the deleted organisation", n, tab.Name)
			}
		}
		keys := testenv.Call(t, srv.URL, "wegweiser.v1.EnrolmentService/ListEnrolmentKeys", owner, map[string]any{})
		if strings.Contains(string(keys.Raw), ten.Organisations[0]) {
			t.Errorf("keys of the deleted organisation still listed: %s", keys.Raw)
		}
		for _, action := range []string{"device.delete", "group.delete", "organisation.delete"} {
			if n := rowsWhere(t, st, "audit_events", "action", action); n != 1 {
				t.Errorf("audit events %s: %d, want 1", action, n)
			}
		}
	})
}
