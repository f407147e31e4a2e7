package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// pageAll lists every device matching req in pages of five.
func pageAll(t *testing.T, c *testenv.Clients, req *v1.ListDevicesRequest) []*v1.Device {
	t.Helper()
	var out []*v1.Device
	req.PageSize = 5
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		res := must(c.Device.ListDevices(context.Background(), req))(t)
		out = append(out, res.GetDevices()...)
		next := res.GetNextPageToken()
		if next == "" {
			return out
		}
		req.PageToken = next
	}
}

// TestDeviceListPaging walks every sort order in pages of five: every device
// exactly once, in order, and a token reused with other filters is refused.
func TestDeviceListPaging(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "paging")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		total := len(ten.Devices)
		for _, order := range []v1.DeviceOrder{v1.DeviceOrder_DEVICE_ORDER_HOSTNAME, v1.DeviceOrder_DEVICE_ORDER_LAST_SEEN} {
			for _, desc := range []bool{false, true} {
				got := pageAll(t, own, &v1.ListDevicesRequest{OrderBy: order, Descending: desc})
				if len(got) != total {
					t.Fatalf("%s desc=%v: %d devices, want %d", order, desc, len(got), total)
				}
				seen := map[string]bool{}
				for i, d := range got {
					id := d.GetId()
					if seen[id] {
						t.Fatalf("%s desc=%v: device %s twice", order, desc, id)
					}
					seen[id] = true
					if i == 0 {
						continue
					}
					a, b := got[i-1].GetHostname(), d.GetHostname()
					if order == v1.DeviceOrder_DEVICE_ORDER_LAST_SEEN {
						a = got[i-1].GetLastSeenTime().AsTime().UTC().Format("2006-01-02T15:04:05.000000000")
						b = d.GetLastSeenTime().AsTime().UTC().Format("2006-01-02T15:04:05.000000000")
					}
					if (!desc && a > b) || (desc && a < b) {
						t.Fatalf("%s desc=%v: %q before %q", order, desc, a, b)
					}
				}
			}
		}
		first := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{PageSize: 2}))(t)
		if _, err := own.Device.ListDevices(ctx, &v1.ListDevicesRequest{PageSize: 2, PageToken: first.GetNextPageToken(), Query: "o1"}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("token with other filters: %v", err)
		}
		// Filters combine.
		byOrg := pageAll(t, own, &v1.ListDevicesRequest{OrganisationId: ten.Organisations[1]})
		byGroup := pageAll(t, own, &v1.ListDevicesRequest{GroupId: ten.Groups[2]})
		byQuery := pageAll(t, own, &v1.ListDevicesRequest{Query: "PAGING-O1G1"})
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
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		mixed := []string{ten.Devices[0], other.Devices[0], ten.Devices[1]}
		testenv.SettleJobs(t, srv) // the fixtures' analyses would change the dump
		before := other.Dump(t)
		if _, err := own.Device.TagDevices(ctx, &v1.TagDevicesRequest{Ids: mixed, AddTags: []string{"pwned"}}); testenv.Code(err) != "not_found" {
			t.Fatalf("mixed bulk tag: %v, want not_found", err)
		}
		for _, id := range ten.Devices[:2] {
			d := must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: id}))(t)
			if strings.Contains(pj(d), "pwned") {
				t.Fatalf("own device %s was tagged by a rejected request", id)
			}
		}
		if other.Dump(t) != before {
			t.Fatal("foreign tenant changed")
		}
		res := must(own.Device.TagDevices(ctx, &v1.TagDevicesRequest{Ids: ten.Devices[:2], AddTags: []string{"vip", " vip ", "server"}}))(t)
		if len(res.GetDevices()) != 2 {
			t.Fatalf("tagged devices: %s", pj(res))
		}
		for _, d := range res.GetDevices() {
			if tags := d.GetTags(); len(tags) != 2 {
				t.Fatalf("tags not de-duplicated: %v", tags)
			}
		}
		vips := pageAll(t, own, &v1.ListDevicesRequest{Tag: "vip"})
		if len(vips) != 2 {
			t.Fatalf("tag filter found %d, want 2", len(vips))
		}
		must(own.Device.TagDevices(ctx, &v1.TagDevicesRequest{Ids: ten.Devices[:1], RemoveTags: []string{"vip"}}))(t)
		if n := len(pageAll(t, own, &v1.ListDevicesRequest{Tag: "vip"})); n != 1 {
			t.Fatalf("after removing: %d vip devices, want 1", n)
		}
		if _, err := own.Device.TagDevices(ctx, &v1.TagDevicesRequest{Ids: ten.Devices[:1], AddTags: []string{strings.Repeat("t", 65)}}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("oversized tag: %v", err)
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
		ctx := context.Background()
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		own := srv.Clients(ten.Login(t, ten.Owner))
		orgs := must(tech.Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{}))(t)
		if len(orgs.GetOrganisations()) != 1 || orgs.GetOrganisations()[0].GetId() != ten.Organisations[0] {
			t.Fatalf("scoped technician lists organisations: %s", pj(orgs))
		}
		devs := pageAll(t, tech, &v1.ListDevicesRequest{})
		for _, d := range devs {
			if d.GetOrganisationId() != ten.Organisations[0] {
				t.Fatalf("scoped technician sees device of %s", d.GetOrganisationId())
			}
		}
		inScope := ten.Devices[0]    // organisation 0, group 0
		outOfScope := ten.Devices[6] // organisation 1
		if _, err := tech.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: outOfScope}); testenv.Code(err) != "not_found" {
			t.Fatalf("out-of-scope device: %v", err)
		}
		if _, err := tech.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: inScope, OrganisationId: ten.Organisations[1]}); testenv.Code(err) != "not_found" {
			t.Fatalf("move out of scope: %v", err)
		}
		if _, err := tech.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: outOfScope, OrganisationId: ten.Organisations[0]}); testenv.Code(err) != "not_found" {
			t.Fatalf("move into scope from outside: %v", err)
		}
		d := must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: inScope}))(t)
		if d.GetDevice().GetOrganisationId() != ten.Organisations[0] {
			t.Fatal("refused move changed the device")
		}
		// Within scope it works: group 1 of organisation 0.
		moved := must(tech.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: inScope, GroupId: ten.Groups[1]}))(t)
		if moved.GetDevice().GetGroupId() != ten.Groups[1] {
			t.Fatalf("move within scope: %s", pj(moved))
		}
		// A group of another organisation contradicts the organisation.
		if _, err := own.Device.MoveDevice(ctx, &v1.MoveDeviceRequest{Id: inScope, OrganisationId: ten.Organisations[0], GroupId: ten.Groups[3]}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("mismatched group: %v", err)
		}
		// Technicians cannot delete devices or organisations.
		if _, err := tech.Device.DeleteDevice(ctx, &v1.DeleteDeviceRequest{Id: inScope}); testenv.Code(err) != "permission_denied" {
			t.Fatalf("technician deleting a device: %v", err)
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
		ctx := context.Background()
		owner := srv.Clients(ten.Login(t, ten.Owner))
		admin := srv.Clients(ten.Login(t, ten.Members[viewer.RoleAdmin]))
		viewerC := srv.Clients(ten.Login(t, ten.Members[viewer.RoleViewer]))
		invite := func(c *testenv.Clients, req *v1.InviteUserRequest) error {
			_, err := c.User.InviteUser(ctx, req)
			return err
		}
		change := func(c *testenv.Clients, req *v1.ChangeUserRoleRequest) error {
			_, err := c.User.ChangeUserRole(ctx, req)
			return err
		}
		disable := func(c *testenv.Clients, id string) error {
			_, err := c.User.DisableUser(ctx, &v1.DisableUserRequest{UserId: id})
			return err
		}
		cases := []struct {
			name string
			err  error
			code string
		}{
			{"admin grants owner", invite(admin, &v1.InviteUserRequest{Email: "o2@example.com", Role: v1.Role_ROLE_OWNER}), "permission_denied"},
			{"admin demotes owner", change(admin, &v1.ChangeUserRoleRequest{UserId: ten.Owner.ID, Role: v1.Role_ROLE_VIEWER}), "permission_denied"},
			{"admin disables owner", disable(admin, ten.Owner.ID), "permission_denied"},
			{"viewer invites", invite(viewerC, &v1.InviteUserRequest{Email: "v2@example.com", Role: v1.Role_ROLE_VIEWER}), "permission_denied"},
			{"customer without organisations", invite(owner, &v1.InviteUserRequest{Email: "c2@example.com", Role: v1.Role_ROLE_CUSTOMER}), "invalid_argument"},
			{"viewer with organisations", invite(owner, &v1.InviteUserRequest{Email: "v3@example.com", Role: v1.Role_ROLE_VIEWER, OrganisationIds: []string{ten.Organisations[0]}}), "invalid_argument"},
			{"unknown role", invite(owner, &v1.InviteUserRequest{Email: "r@example.com"}), "invalid_argument"},
			{"existing member", invite(owner, &v1.InviteUserRequest{Email: ten.Members[viewer.RoleAdmin].Email, Role: v1.Role_ROLE_VIEWER}), "already_exists"},
			{"last owner demotes self", change(owner, &v1.ChangeUserRoleRequest{UserId: ten.Owner.ID, Role: v1.Role_ROLE_ADMIN}), "failed_precondition"},
			{"owner disables self", disable(owner, ten.Owner.ID), "failed_precondition"},
		}
		for _, c := range cases {
			if got := testenv.Code(c.err); got != c.code {
				t.Errorf("%s: %s (%v), want %s", c.name, got, c.err, c.code)
			}
		}
		// An invitation works once.
		if err := invite(owner, &v1.InviteUserRequest{Email: "new@example.com", Role: v1.Role_ROLE_VIEWER}); err != nil {
			t.Fatalf("invite: %v", err)
		}
		tokenStr := testenv.LinkToken(t, srv.WaitMail(t, "new@example.com", 1).Body) // mailed to the invitee only
		anon := srv.Clients("")
		must(anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: tokenStr, Password: testenv.Password}))(t)
		if _, err := anon.Auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{InvitationToken: tokenStr, Password: testenv.Password}); testenv.Code(err) != "not_found" {
			t.Fatalf("second use of an invitation: %v", err)
		}
		// With a second owner, the first may step down.
		if err := change(owner, &v1.ChangeUserRoleRequest{UserId: ten.Members[viewer.RoleAdmin].ID, Role: v1.Role_ROLE_OWNER}); err != nil {
			t.Fatalf("promote admin: %v", err)
		}
		if err := change(owner, &v1.ChangeUserRoleRequest{UserId: ten.Owner.ID, Role: v1.Role_ROLE_ADMIN}); err != nil {
			t.Fatalf("step down: %v", err)
		}
		who := must(srv.Clients(ten.Login(t, ten.Owner)).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		if who.GetUser().GetRole() != v1.Role_ROLE_ADMIN {
			t.Fatalf("role after stepping down: %s", pj(who))
		}
	})
}
