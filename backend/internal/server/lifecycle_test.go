package server_test

// The leak checks after a move call the list procedures with testenv.Call and
// search the raw answers for names, hostnames and ids, as the isolation
// sweeps do; everything else uses the typed clients.

import (
	"context"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/google/uuid"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
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

// deviceOverride suppresses a check on one device (a device-level row that
// must follow the device).
func deviceOverride(t *testing.T, c *testenv.Clients, deviceID string) {
	t.Helper()
	_, err := c.Policy.SetOverride(context.Background(), &v1.SetOverrideRequest{
		Scope:   &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_DEVICE, Id: deviceID},
		CheckId: "system.uptime", Suppress: true, Reason: "device-level fixture",
	})
	if err != nil {
		t.Fatalf("set device override: %v", err)
	}
}

// softwareNames lists the names ListSoftware returns.
func softwareNames(t *testing.T, c *testenv.Clients, req *v1.ListSoftwareRequest) string {
	t.Helper()
	res, err := c.Inventory.ListSoftware(context.Background(), req)
	if err != nil {
		t.Fatalf("list software: %v", err)
	}
	var names []string
	for _, sw := range res.GetSoftware() {
		names = append(names, sw.GetName())
	}
	return strings.Join(names, ",")
}

// sendSecretSnapshot sends a snapshot whose software list holds a package
// name found nowhere else.
func sendSecretSnapshot(t *testing.T, srv *testenv.Server, a testenv.Agent, host, secret string) {
	t.Helper()
	snap := testenv.SampleSnapshot(host, 3, 3)
	snap.Software[0].Name = secret
	snap.Crashes = []*agentv1.Crash{{Application: secret + ".exe", Time: snap.GetCollectedTime(), Detail: "fixture crash"}}
	if _, err := srv.Clients(a.Token).Agent.SubmitSnapshot(context.Background(), &agentv1.SubmitSnapshotRequest{Snapshot: snap}); err != nil {
		t.Fatalf("submit snapshot: %v", err)
	}
}

// TestMovedDeviceDataFollows is the hardening issue's defect 1: after a
// move, every row of the device's data carries the new organisation, a
// customer of the old organisation sees nothing of it (by name, not only by
// id), one of the new organisation sees it, and both parents are rolled up.
func TestMovedDeviceDataFollows(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "mover")
		ctx := context.Background()
		owner := ten.Login(t, ten.Owner)
		own := srv.Clients(owner)
		a := ten.Agent
		host := "mover-agent"
		secret := "secret-ledger-" + uuid.NewString()[:8]
		sendSecretSnapshot(t, srv, a, host, secret)
		deviceOverride(t, own, a.DeviceID)
		testenv.SettleJobs(t, srv)

		// A customer of organisation 0 sees the device's software before.
		customer := ten.Login(t, ten.Members[viewer.RoleCustomer])
		cust := srv.Clients(customer)
		if got := softwareNames(t, cust, &v1.ListSoftwareRequest{Query: secret}); got != secret {
			t.Fatalf("before the move the customer should see %s, sees %q", secret, got)
		}

		dest := ten.Groups[2] // first group of organisation 1
		if _, err := own.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: a.DeviceID, GroupId: dest}); err != nil {
			t.Fatalf("move: %v", err)
		}
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
		if _, err := cust.Inventory.GetDeviceInventory(ctx, &v1.GetDeviceInventoryRequest{DeviceId: a.DeviceID}); testenv.Code(err) != "not_found" {
			t.Errorf("inventory of the moved device as the old organisation's customer: %v, want not_found", err)
		}
		if _, err := cust.Inventory.ListDeviceSoftware(ctx, &v1.ListDeviceSoftwareRequest{DeviceId: a.DeviceID}); testenv.Code(err) != "not_found" {
			t.Errorf("software of the moved device as the old organisation's customer: %v, want not_found", err)
		}
		// The owner finds the software under the new organisation.
		if got := softwareNames(t, own, &v1.ListSoftwareRequest{OrganisationId: ten.Organisations[1], Query: secret}); got != secret {
			t.Errorf("the new organisation's software list: %q, want %s", got, secret)
		}
		// Both old and new group are rolled up: the old group lost the device
		// (3 devices, not 4), the new one gained it.
		count := func(group string) int32 {
			res, err := own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_GROUP, Id: group}})
			if err != nil {
				t.Fatalf("group health: %v", err)
			}
			return res.GetHealth().GetDeviceCount()
		}
		if o, n := count(ten.Groups[0]), count(dest); o != 3 || n != 4 {
			t.Errorf("devices in the roll-ups after the move: old group %d (want 3), new group %d (want 4)", o, n)
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
		ctx := context.Background()
		owner := ten.Login(t, ten.Owner)
		own := srv.Clients(owner)
		a := ten.Agent
		secret := "secret-payroll-" + uuid.NewString()[:8]
		sendSecretSnapshot(t, srv, a, "deleter-agent", secret)
		deviceOverride(t, own, a.DeviceID)
		testenv.SettleJobs(t, srv)
		devID := uuid.MustParse(a.DeviceID)
		if left := deviceRowsLeft(t, st, devID); left["device_healths"] == 0 || left["installed_softwares"] == 0 ||
			left["event_log_groups"] == 0 || left["crash_reports"] == 0 {
			t.Fatalf("fixture: the device has no health, software, event or crash rows: %v", left)
		}

		// Device.
		if _, err := own.Device.DeleteDevice(ctx, &v1.DeleteDeviceRequest{Id: a.DeviceID}); err != nil {
			t.Fatalf("delete device: %v", err)
		}
		testenv.SettleJobs(t, srv)
		if left := deviceRowsLeft(t, st, devID); len(left) > 0 {
			t.Errorf("rows of the deleted device remain: %v", left)
		}
		if got := softwareNames(t, own, &v1.ListSoftwareRequest{Query: secret}); got != "" {
			t.Errorf("the deleted device's software still counts: %q", got)
		}
		if _, err := srv.Clients(a.Token).Agent.Heartbeat(ctx, &agentv1.HeartbeatRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Errorf("the deleted device's token: %v, want unauthenticated", err)
		}
		// The stale sweep raises nothing for it.
		if err := srv.App.Health.SweepStale(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rowsWhere(t, st, "notifications", "entity_id", devID); n != 0 {
			t.Errorf("notifications about the deleted device: %d", n)
		}

		// Group: its keys go, its devices stay without a group.
		group := ten.Groups[1]
		key, err := own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{
			OrganisationId: ten.Organisations[0], GroupId: group, Description: "group key",
		})
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		if _, err := own.Tenant.DeleteGroup(ctx, &v1.DeleteGroupRequest{Id: group}); err != nil {
			t.Fatalf("delete group: %v", err)
		}
		testenv.SettleJobs(t, srv)
		if n := rowsWhere(t, st, "enrolment_keys", "group_id", uuid.MustParse(group)); n != 0 {
			t.Errorf("enrolment keys of the deleted group: %d", n)
		}
		if n := rowsWhere(t, st, "entity_healths", "entity_id", uuid.MustParse(group)); n != 0 {
			t.Errorf("health of the deleted group: %d", n)
		}
		_, err = srv.Clients(key.GetSecret()).Agent.Enroll(ctx, &agentv1.EnrollRequest{
			EnrolmentKey: key.GetSecret(), Hostname: "late", Platform: "linux", AgentVersion: "test",
		})
		if c := testenv.Code(err); c != "unauthenticated" && c != "permission_denied" && c != "not_found" {
			t.Errorf("enrolling with the deleted group's key: %v", err)
		}

		// Organisation: nothing carrying its id remains.
		org := uuid.MustParse(ten.Organisations[0])
		if _, err := own.Tenant.DeleteOrganisation(ctx, &v1.DeleteOrganisationRequest{Id: ten.Organisations[0], Force: true}); err != nil {
			t.Fatalf("delete organisation: %v", err)
		}
		testenv.SettleJobs(t, srv)
		for _, tab := range migrate.Tables {
			if !hasColumn(tab, "organisation_id") || devicedata.Tables[tab.Name] == devicedata.Kept || devicedata.Tables[tab.Name] == devicedata.FollowsKept {
				continue
			}
			if n := rowsWhere(t, st, tab.Name, "organisation_id", org); n != 0 {
				t.Errorf("%d rows of %s still carry the deleted organisation", n, tab.Name)
			}
		}
		keys, err := own.Enrolment.ListEnrolmentKeys(ctx, &v1.ListEnrolmentKeysRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys.GetKeys() {
			if k.GetOrganisationId() == ten.Organisations[0] {
				t.Errorf("a key of the deleted organisation is still listed: %s", k.GetId())
			}
		}
		for _, action := range []string{"device.delete", "group.delete", "organisation.delete"} {
			if n := rowsWhere(t, st, "audit_events", "action", action); n != 1 {
				t.Errorf("audit events %s: %d, want 1", action, n)
			}
		}
	})
}
