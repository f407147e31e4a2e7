package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	listDevices = "wegweiser.v1.DeviceService/ListDevices"
	tagDevices  = "wegweiser.v1.DeviceService/TagDevices"
	moveDevice  = "wegweiser.v1.DeviceService/MoveDevice"
	getDevice   = "wegweiser.v1.DeviceService/GetDevice"
)

func pageAll(t *testing.T, url, token string, req map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	req["pageSize"] = 5
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		res := testenv.Call(t, url, listDevices, token, req)
		res.Must(t)
		for _, d := range res.Body["devices"].([]any) {
			out = append(out, d.(map[string]any))
		}
		next := res.Str("nextPageToken")
		if next == "" {
			return out
		}
		req["pageToken"] = next
	}
}

// TestDeviceListPaging walks every sort order in pages of five: every device
// exactly once, in order, and a token reused with other filters is refused.
func TestDeviceListPaging(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "paging")
		tok := ten.Login(t, ten.Owner)
		total := len(ten.Devices)
		for _, order := range []string{"DEVICE_ORDER_HOSTNAME", "DEVICE_ORDER_LAST_SEEN"} {
			for _, desc := range []bool{false, true} {
				got := pageAll(t, srv.URL, tok, map[string]any{"orderBy": order, "descending": desc})
				if len(got) != total {
					t.Fatalf("%s desc=%v: %d devices, want %d", order, desc, len(got), total)
				}
				seen := map[string]bool{}
				for i, d := range got {
					id := d["id"].(string)
					if seen[id] {
						t.Fatalf("%s desc=%v: device %s twice", order, desc, id)
					}
					seen[id] = true
					if i == 0 {
						continue
					}
					a, b := fmt.Sprint(got[i-1]["hostname"]), fmt.Sprint(d["hostname"])
					if order == "DEVICE_ORDER_LAST_SEEN" {
						// Compare as times: the text form varies in precision.
						ta, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(got[i-1]["lastSeenTime"]))
						tb, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(d["lastSeenTime"]))
						a, b = ta.UTC().Format("2006-01-02T15:04:05.000000000"), tb.UTC().Format("2006-01-02T15:04:05.000000000")
					}
					if (!desc && a > b) || (desc && a < b) {
						t.Fatalf("%s desc=%v: %q before %q", order, desc, a, b)
					}
				}
			}
		}
		first := testenv.Call(t, srv.URL, listDevices, tok, map[string]any{"pageSize": 2})
		if c := testenv.Call(t, srv.URL, listDevices, tok, map[string]any{"pageSize": 2, "pageToken": first.Str("nextPageToken"), "query": "o1"}).Code; c != "invalid_argument" {
			t.Fatalf("token with other filters: %s", c)
		}
		// Filters combine.
		byOrg := pageAll(t, srv.URL, tok, map[string]any{"organisationId": ten.Organisations[1]})
		byGroup := pageAll(t, srv.URL, tok, map[string]any{"groupId": ten.Groups[2]})
		byQuery := pageAll(t, srv.URL, tok, map[string]any{"query": "PAGING-O1G1"})
		if len(byOrg) != 6 || len(byGroup) != 3 || len(byQuery) != 3 {
			t.Fatalf("filters: org %d (want 6), group %d (want 3), query %d (want 3)", len(byOrg), len(byGroup), len(byQuery))
		}
	})
}

// TestBulkTagIsAllOrNothing is docs/security.md abuse test 3: a bulk request
// mixing own and foreign ids is rejected whole and changes nothing.
func TestBulkTagIsAllOrNothing(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "bulk")
		other := testenv.NewTenant(t, srv, "victim")
		tok := ten.Login(t, ten.Owner)
		mixed := []string{ten.Devices[0], other.Devices[0], ten.Devices[1]}
		before := other.Dump(t)
		if c := testenv.Call(t, srv.URL, tagDevices, tok, map[string]any{"ids": mixed, "addTags": []string{"pwned"}}).Code; c != "not_found" {
			t.Fatalf("mixed bulk tag: %s, want not_found", c)
		}
		for _, id := range ten.Devices[:2] {
			d := testenv.Call(t, srv.URL, getDevice, tok, map[string]any{"id": id})
			if strings.Contains(string(d.Raw), "pwned") {
				t.Fatalf("own device %s was tagged by a rejected request", id)
			}
		}
		if other.Dump(t) != before {
			t.Fatal("foreign tenant changed")
		}
		res := testenv.Call(t, srv.URL, tagDevices, tok, map[string]any{"ids": ten.Devices[:2], "addTags": []string{"vip", " vip ", "server"}})
		res.Must(t)
		for _, d := range res.Body["devices"].([]any) {
			tags := d.(map[string]any)["tags"].([]any)
			if len(tags) != 2 {
				t.Fatalf("tags not de-duplicated: %v", tags)
			}
		}
		vips := pageAll(t, srv.URL, tok, map[string]any{"tag": "vip"})
		if len(vips) != 2 {
			t.Fatalf("tag filter found %d, want 2", len(vips))
		}
		testenv.Call(t, srv.URL, tagDevices, tok, map[string]any{"ids": ten.Devices[:1], "removeTags": []string{"vip"}}).Must(t)
		if n := len(pageAll(t, srv.URL, tok, map[string]any{"tag": "vip"})); n != 1 {
			t.Fatalf("after removing: %d vip devices, want 1", n)
		}
		if c := testenv.Call(t, srv.URL, tagDevices, tok, map[string]any{"ids": ten.Devices[:1], "addTags": []string{strings.Repeat("t", 65)}}).Code; c != "invalid_argument" {
			t.Fatalf("oversized tag: %s", c)
		}
	})
}

// TestScopedTechnician: a technician limited to organisation 0 sees only
// its devices and organisations, and cannot move a device to organisation 1
// (a move needs access at source and destination).
func TestScopedTechnician(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "scope")
		tech := ten.Login(t, ten.Members[viewer.RoleTechnician])
		owner := ten.Login(t, ten.Owner)
		orgs := testenv.Call(t, srv.URL, listOrgs, tech, `{}`)
		if n := len(orgs.Body["organisations"].([]any)); n != 1 || !strings.Contains(string(orgs.Raw), ten.Organisations[0]) {
			t.Fatalf("scoped technician lists organisations: %s", orgs.Raw)
		}
		devs := pageAll(t, srv.URL, tech, map[string]any{})
		for _, d := range devs {
			if d["organisationId"] != ten.Organisations[0] {
				t.Fatalf("scoped technician sees device of %s", d["organisationId"])
			}
		}
		inScope := ten.Devices[0]    // organisation 0, group 0
		outOfScope := ten.Devices[6] // organisation 1
		if c := testenv.Call(t, srv.URL, getDevice, tech, map[string]any{"id": outOfScope}).Code; c != "not_found" {
			t.Fatalf("out-of-scope device: %s", c)
		}
		if c := testenv.Call(t, srv.URL, moveDevice, tech, map[string]any{"id": inScope, "organisationId": ten.Organisations[1]}).Code; c != "not_found" {
			t.Fatalf("move out of scope: %s", c)
		}
		if c := testenv.Call(t, srv.URL, moveDevice, tech, map[string]any{"id": outOfScope, "organisationId": ten.Organisations[0]}).Code; c != "not_found" {
			t.Fatalf("move into scope from outside: %s", c)
		}
		d := testenv.Call(t, srv.URL, getDevice, owner, map[string]any{"id": inScope})
		if d.Str("device.organisationId") != ten.Organisations[0] {
			t.Fatal("refused move changed the device")
		}
		// Within scope it works: group 1 of organisation 0.
		moved := testenv.Call(t, srv.URL, moveDevice, tech, map[string]any{"id": inScope, "groupId": ten.Groups[1]})
		moved.Must(t)
		if moved.Str("device.groupId") != ten.Groups[1] {
			t.Fatalf("move within scope: %s", moved.Raw)
		}
		// A group of another organisation contradicts the organisation.
		if c := testenv.Call(t, srv.URL, moveDevice, owner, map[string]any{"id": inScope, "organisationId": ten.Organisations[0], "groupId": ten.Groups[3]}).Code; c != "invalid_argument" {
			t.Fatalf("mismatched group: %s", c)
		}
		// Technicians cannot delete devices or organisations.
		if c := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/DeleteDevice", tech, map[string]any{"id": inScope}).Code; c != "permission_denied" {
			t.Fatalf("technician deleting a device: %s", c)
		}
		if !slices.Contains(ten.Devices, inScope) {
			t.Fatal("fixture changed")
		}
	})
}

// TestMemberRules: invitations, the owner role and the last owner.
func TestMemberRules(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "members")
		owner := ten.Login(t, ten.Owner)
		admin := ten.Login(t, ten.Members[viewer.RoleAdmin])
		viewerTok := ten.Login(t, ten.Members[viewer.RoleViewer])
		invite := "wegweiser.v1.UserService/InviteUser"
		change := "wegweiser.v1.UserService/ChangeUserRole"
		disable := "wegweiser.v1.UserService/DisableUser"
		cases := []struct {
			name, token, procedure string
			body                   map[string]any
			code                   string
		}{
			{"admin grants owner", admin, invite, map[string]any{"email": "o2@example.com", "role": "ROLE_OWNER"}, "permission_denied"},
			{"admin demotes owner", admin, change, map[string]any{"userId": ten.Owner.ID, "role": "ROLE_VIEWER"}, "permission_denied"},
			{"admin disables owner", admin, disable, map[string]any{"userId": ten.Owner.ID}, "permission_denied"},
			{"viewer invites", viewerTok, invite, map[string]any{"email": "v2@example.com", "role": "ROLE_VIEWER"}, "permission_denied"},
			{"customer without organisations", owner, invite, map[string]any{"email": "c2@example.com", "role": "ROLE_CUSTOMER"}, "invalid_argument"},
			{"viewer with organisations", owner, invite, map[string]any{"email": "v3@example.com", "role": "ROLE_VIEWER", "organisationIds": []string{ten.Organisations[0]}}, "invalid_argument"},
			{"unknown role", owner, invite, map[string]any{"email": "r@example.com"}, "invalid_argument"},
			{"existing member", owner, invite, map[string]any{"email": ten.Members[viewer.RoleAdmin].Email, "role": "ROLE_VIEWER"}, "already_exists"},
			{"last owner demotes self", owner, change, map[string]any{"userId": ten.Owner.ID, "role": "ROLE_ADMIN"}, "failed_precondition"},
			{"owner disables self", owner, disable, map[string]any{"userId": ten.Owner.ID}, "failed_precondition"},
		}
		for _, c := range cases {
			if got := testenv.Call(t, srv.URL, c.procedure, c.token, c.body).Code; got != c.code {
				t.Errorf("%s: %s, want %s", c.name, got, c.code)
			}
		}
		// An invitation works once.
		testenv.Call(t, srv.URL, invite, owner, map[string]any{"email": "new@example.com", "role": "ROLE_VIEWER"}).Must(t)
		tokenStr := testenv.LinkToken(t, srv.WaitMail(t, "new@example.com", 1).Body) // mailed to the invitee only
		testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/AcceptInvitation", "", map[string]any{"invitationToken": tokenStr, "password": testenv.Password}).Must(t)
		if c := testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/AcceptInvitation", "", map[string]any{"invitationToken": tokenStr, "password": testenv.Password}).Code; c != "not_found" {
			t.Fatalf("second use of an invitation: %s", c)
		}
		// With a second owner, the first may step down.
		testenv.Call(t, srv.URL, change, owner, map[string]any{"userId": ten.Members[viewer.RoleAdmin].ID, "role": "ROLE_OWNER"}).Must(t)
		testenv.Call(t, srv.URL, change, owner, map[string]any{"userId": ten.Owner.ID, "role": "ROLE_ADMIN"}).Must(t)
		who := testenv.Call(t, srv.URL, whoAmI, ten.Login(t, ten.Owner), `{}`)
		if who.Str("user.role") != "ROLE_ADMIN" {
			t.Fatalf("role after stepping down: %s", who.Raw)
		}
	})
}
