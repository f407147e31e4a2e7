package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// createKey is the raw procedure name, for the wire tests (limits_test.go).
const createKey = "wegweiser.v1.EnrolmentService/CreateEnrolmentKey"

// enrolWith enrols a device with an enrolment key secret and returns the
// error (nil on success).
func enrolWith(srv *testenv.Server, secret, host string) error {
	_, err := srv.Clients("").Agent.Enroll(context.Background(), &agentv1.EnrollRequest{EnrolmentKey: secret, Hostname: host, Platform: "windows", AgentVersion: "1"})
	return err
}

// submitSnapshot sends a snapshot as the agent holding token.
func submitSnapshot(t *testing.T, srv *testenv.Server, token string, snap *agentv1.Snapshot) {
	t.Helper()
	must(srv.Clients(token).Agent.SubmitSnapshot(context.Background(), &agentv1.SubmitSnapshotRequest{Snapshot: snap}))(t)
}

// TestEnrolmentKeys: use limits hold under concurrency, revoked and expired
// keys refuse, secrets are never listed, install commands are given, and a
// revoked device token locks the agent out.
func TestEnrolmentKeys(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "keys")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))

		key := must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: ten.Organisations[1], Description: "one use", MaxUses: 1}))(t)
		secret := key.GetSecret()
		cmds := key.GetInstallCommands()
		if len(cmds) != 3 || !strings.Contains(cmds[0].GetCommand(), secret) {
			t.Fatalf("install commands: %v", cmds)
		}
		for _, c := range cmds {
			script := "/install.sh | sudo sh -s -- --key " + secret
			if c.GetPlatform() == "windows" {
				script = "/install.ps1))) -Key '" + secret + "'"
			}
			if !strings.Contains(c.GetCommand(), script) {
				t.Errorf("%s install command %q does not fetch the install script with the key", c.GetPlatform(), c.GetCommand())
			}
		}
		// Three agents race for one use: exactly one gets in.
		var wg sync.WaitGroup
		codes := make([]string, 3)
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = testenv.Code(enrolWith(srv, secret, "race")) }()
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
		list := must(own.Enrolment.ListEnrolmentKeys(ctx, &v1.ListEnrolmentKeysRequest{IncludeInactive: true}))(t)
		if raw := pj(list); strings.Contains(raw, secret) || strings.Contains(raw, "secretHash") {
			t.Fatal("a key listing contains the secret")
		}

		k2 := must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: ten.Organisations[1]}))(t)
		must(own.Enrolment.RevokeEnrolmentKey(ctx, &v1.RevokeEnrolmentKeyRequest{Id: k2.GetKey().GetId()}))(t)
		if err := enrolWith(srv, k2.GetSecret(), "late"); testenv.Code(err) != "permission_denied" {
			t.Fatalf("revoked key: %v", err)
		}
		past := timestamppb.New(time.Now().Add(-time.Hour).UTC().Truncate(time.Second))
		if _, err := own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: ten.Organisations[1], ExpireTime: past}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("key expiring in the past: %v", err)
		}
		if err := enrolWith(srv, "wwe_made-up", "x"); testenv.Code(err) != "permission_denied" {
			t.Fatalf("unknown key: %v", err)
		}
		if err := enrolWith(srv, secret, ""); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("empty hostname: %v", err)
		}

		// Technicians cannot manage keys.
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		if _, err := tech.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: ten.Organisations[0]}); testenv.Code(err) != "permission_denied" {
			t.Fatalf("technician creating a key: %v", err)
		}

		// Revoking a device token locks its agent out.
		agent := srv.Clients(ten.Agent.Token)
		must(agent.Agent.Heartbeat(ctx, &agentv1.HeartbeatRequest{}))(t)
		must(own.Enrolment.RevokeDeviceToken(ctx, &v1.RevokeDeviceTokenRequest{DeviceId: ten.Agent.DeviceID}))(t)
		if _, err := agent.Agent.Heartbeat(ctx, &agentv1.HeartbeatRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("revoked device token: %v", err)
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
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		a := ten.Enrol(t, "inv-a")
		b := ten.Enrol(t, "inv-b")
		sa := testenv.SampleSnapshot("inv-a", 250, 30)
		submitSnapshot(t, srv, a.Token, sa)
		submitSnapshot(t, srv, b.Token, testenv.SampleSnapshot("inv-b", 10, 0))

		inv := must(own.Inventory.GetDeviceInventory(ctx, &v1.GetDeviceInventoryRequest{DeviceId: a.DeviceID}))(t)
		snap := inv.GetSnapshot()
		if snap.GetSnapshotId() != sa.SnapshotId || snap.GetOs().GetHostname() != "inv-a" || snap.GetHardware().GetModel() != "OptiPlex 7010" {
			t.Fatalf("inventory: %s", pjt(inv))
		}
		if n := len(snap.GetSoftware()); n != 250 {
			t.Fatalf("inventory has %d programs, want 250", n)
		}

		// Page through software 100 at a time: 250 distinct, in name order.
		var names []string
		token := ""
		for {
			res := must(own.Inventory.ListDeviceSoftware(ctx, &v1.ListDeviceSoftwareRequest{DeviceId: a.DeviceID, PageSize: 100, PageToken: token}))(t)
			for _, sw := range res.GetSoftware() {
				names = append(names, sw.GetName())
			}
			if token = res.GetNextPageToken(); token == "" {
				break
			}
		}
		if len(names) != 250 || names[0] != "package-0000" || names[249] != "package-0249" {
			t.Fatalf("paged software: %d names, first %q, last %q", len(names), names[0], names[len(names)-1])
		}
		search := must(own.Inventory.ListDeviceSoftware(ctx, &v1.ListDeviceSoftwareRequest{DeviceId: a.DeviceID, Query: "PACKAGE-012"}))(t)
		if n := len(search.GetSoftware()); n != 10 {
			t.Fatalf("search found %d, want 10", n)
		}
		errs := must(own.Inventory.ListDeviceEventLogs(ctx, &v1.ListDeviceEventLogsRequest{DeviceId: a.DeviceID, Level: "error"}))(t)
		if n := len(errs.GetEventLogs()); n != 10 {
			t.Fatalf("error groups: %d, want 10", n)
		}
		if _, err := own.Inventory.ListDeviceEventLogs(ctx, &v1.ListDeviceEventLogsRequest{DeviceId: a.DeviceID, Level: "fatal"}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("bad level: %v", err)
		}

		fleet := must(own.Inventory.ListSoftware(ctx, &v1.ListSoftwareRequest{Query: "package-0001"}))(t)
		if sw := fleet.GetSoftware(); len(sw) != 1 || sw[0].GetDeviceCount() != 3 {
			// a, b and the fixture's own agent (which sends 5 packages).
			t.Fatalf("fleet software: %s", pj(fleet))
		}

		// The customer is limited to organisation 0; devices a and b are in
		// organisation 0 too (Enrol uses it), so move b out and check.
		must(own.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: b.DeviceID, OrganisationId: ten.Organisations[1]}))(t)
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		if _, err := cust.Inventory.GetDeviceInventory(ctx, &v1.GetDeviceInventoryRequest{DeviceId: b.DeviceID}); testenv.Code(err) != "not_found" {
			t.Fatalf("customer reading another organisation's device: %v", err)
		}
		must(cust.Inventory.GetDeviceInventory(ctx, &v1.GetDeviceInventoryRequest{DeviceId: a.DeviceID}))(t)
	})
}
