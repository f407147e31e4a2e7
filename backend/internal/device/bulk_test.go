package device_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/bulkoperation"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// bulkSetup is setup with the server's permission check.
func bulkSetup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	b := setup(t, st)
	enf, err := authz.NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	b.svc.SetPermissionCheck(enf.Allowed)
	return b
}

// member adds an active member of role (limited to orgs) to the
// hierarchy's tenant and returns a context acting as them.
func member(t *testing.T, b *bundle, role viewer.Role, orgs ...uuid.UUID) context.Context {
	t.Helper()
	ctx := bypass.Allow(context.Background(), "test fixture: add a member")
	u, err := b.st.Ent.User.Create().SetEmail(uuid.NewString() + "@example.com").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.st.Ent.Membership.Create().SetTenantID(b.h.Tenant).SetUserID(u.ID).SetRole(membership.Role(role)).
		SetOrganisationIds(append([]uuid.UUID{}, orgs...)).SetAcceptedAt(u.CreatedAt).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return viewer.NewContext(context.Background(), &viewer.Viewer{UserID: u.ID, TenantID: b.h.Tenant, Role: role, OrganisationIDs: orgs})
}

func operations(t *testing.T, b *bundle) int {
	t.Helper()
	n, err := b.st.Ent.BulkOperation.Query().Count(bypass.AsTenant(context.Background(), b.h.Tenant, "test: count operations"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// run works through an operation the way its job does and returns it.
func run(t *testing.T, b *bundle, op *ent.BulkOperation) *ent.BulkOperation {
	t.Helper()
	if err := b.svc.RunBulk(context.Background(), b.h.Tenant, op.ID); err != nil {
		t.Fatal(err)
	}
	got, err := b.st.Ent.BulkOperation.Get(bypass.AsTenant(context.Background(), b.h.Tenant, "test: read operation"), op.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestBulkSelectionIsResolvedAsTheViewer: an id outside a scoped
// technician's organisations, a filter or destination naming one, or a
// missing action refuse the request whole and store nothing; a filter
// resolves to the devices the viewer sees.
func TestBulkSelectionIsResolvedAsTheViewer(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := bulkSetup(t, st)
		h := b.h
		tech := member(t, b, viewer.RoleTechnician, h.Organisations[0])
		own, other := h.Devices[0][0][0], h.Devices[1][0][0]
		tag := device.BulkAction{Kind: device.BulkTag, AddTags: []string{"x"}}
		cases := []struct {
			name string
			sel  device.Selection
			act  device.BulkAction
			want apperr.Kind
		}{
			{"id of another organisation", device.Selection{IDs: []uuid.UUID{own, other}}, tag, apperr.KindNotFound},
			{"unknown id", device.Selection{IDs: []uuid.UUID{own, uuid.New()}}, tag, apperr.KindNotFound},
			{"filter on another organisation", device.Selection{Filter: &device.Filter{OrganisationID: h.Organisations[1]}}, tag, apperr.KindNotFound},
			{"move to another organisation", device.Selection{IDs: []uuid.UUID{own}}, device.BulkAction{Kind: device.BulkMove, GroupID: h.Groups[1][0]}, apperr.KindNotFound},
			{"move nowhere", device.Selection{IDs: []uuid.UUID{own}}, device.BulkAction{Kind: device.BulkMove}, apperr.KindInvalid},
			{"no action", device.Selection{IDs: []uuid.UUID{own}}, device.BulkAction{}, apperr.KindInvalid},
			{"tag nothing", device.Selection{IDs: []uuid.UUID{own}}, device.BulkAction{Kind: device.BulkTag}, apperr.KindInvalid},
			{"nothing selected", device.Selection{}, tag, apperr.KindInvalid},
			{"retire without device.delete", device.Selection{IDs: []uuid.UUID{own}}, device.BulkAction{Kind: device.BulkRetire}, apperr.KindPermissionDenied},
		}
		for _, c := range cases {
			if _, err := b.svc.StartBulk(tech, c.sel, c.act); !apperr.Is(err, c.want) {
				t.Errorf("%s: %v, want kind %d", c.name, err, c.want)
			}
		}
		if n := operations(t, b); n != 0 {
			t.Fatalf("refused requests stored %d operations", n)
		}
		if jobs := testenv.QueuedJobs(t, st); len(jobs) != 0 {
			t.Fatalf("refused requests queued %v", jobs)
		}
		op, err := b.svc.StartBulk(tech, device.Selection{Filter: &device.Filter{}}, tag)
		if err != nil {
			t.Fatal(err)
		}
		want := []uuid.UUID{h.Devices[0][0][0], h.Devices[0][0][1], h.Devices[0][1][0], h.Devices[0][1][1]}
		got := slices.Clone(op.DeviceIds)
		slices.SortFunc(got, func(a, c uuid.UUID) int { return strings.Compare(a.String(), c.String()) })
		slices.SortFunc(want, func(a, c uuid.UUID) int { return strings.Compare(a.String(), c.String()) })
		if !slices.Equal(got, want) || op.Total != 4 || op.State != bulkoperation.StateQueued || op.Processed != 0 {
			t.Fatalf("filter resolved to %v (total %d, %s, processed %d), want the technician's 4 devices", got, op.Total, op.State, op.Processed)
		}
		if jobs := testenv.QueuedJobs(t, st); len(jobs) != 1 || jobs[0].Kind != "bulk_operation" {
			t.Fatalf("queued %v, want one bulk_operation", jobs)
		}
		// Another technician of the same organisation does not see it.
		peer := member(t, b, viewer.RoleTechnician, h.Organisations[0])
		if _, err := b.svc.GetBulk(peer, op.ID); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("another scoped member read the operation: %v", err)
		}
		if _, err := b.svc.GetBulk(b.owner, op.ID); err != nil {
			t.Fatalf("the owner cannot read it: %v", err)
		}
	})
}

// TestBulkRunCountsVanishedDevices: a device deleted between the start and
// the run fails with a reason, the others are done; the operation ends
// FAILED with everything processed, and a second run changes nothing.
func TestBulkRunCountsVanishedDevices(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := bulkSetup(t, st)
		h := b.h
		admin := member(t, b, viewer.RoleAdmin)
		ids := []uuid.UUID{h.Devices[0][0][0], h.Devices[0][0][1], h.Devices[1][1][0]}
		op, err := b.svc.StartBulk(admin, device.Selection{IDs: ids}, device.BulkAction{Kind: device.BulkTag, AddTags: []string{"bulk"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.svc.Delete(b.owner, ids[1]); err != nil {
			t.Fatal(err)
		}
		done := run(t, b, op)
		if done.State != bulkoperation.StateFailed || done.Processed != 3 || done.Failed != 1 || done.FinishedAt == nil {
			t.Fatalf("operation: %s processed %d failed %d finished %v", done.State, done.Processed, done.Failed, done.FinishedAt)
		}
		if len(done.Errors) != 1 || !strings.Contains(done.Errors[0], ids[1].String()) || !strings.Contains(done.Errors[0], "deleted") {
			t.Fatalf("errors %q, want the deleted device named", done.Errors)
		}
		for _, id := range []uuid.UUID{ids[0], ids[2]} {
			d, err := b.svc.Get(b.owner, id)
			if err != nil || !slices.Contains(d.Tags, "bulk") {
				t.Fatalf("device %s not tagged: %v %v", id, d, err)
			}
		}
		if again := run(t, b, op); again.Processed != 3 || again.Failed != 1 {
			t.Fatalf("a second run changed the operation: %+v", again)
		}
	})
}

// TestBulkRunRechecksReach: the run acts as its creator as they are now;
// a technician moved to another organisation meanwhile changes nothing.
func TestBulkRunRechecksReach(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := bulkSetup(t, st)
		h := b.h
		tech := member(t, b, viewer.RoleTechnician, h.Organisations[0])
		ids := []uuid.UUID{h.Devices[0][0][0], h.Devices[0][1][0]}
		op, err := b.svc.StartBulk(tech, device.Selection{IDs: ids}, device.BulkAction{Kind: device.BulkTag, AddTags: []string{"late"}})
		if err != nil {
			t.Fatal(err)
		}
		sys := bypass.AsTenant(context.Background(), h.Tenant, "test: change the technician's organisations")
		v := viewer.FromContext(tech)
		if err := b.st.Ent.Membership.Update().Where(membership.UserID(v.UserID)).
			SetOrganisationIds([]uuid.UUID{h.Organisations[1]}).Exec(sys); err != nil {
			t.Fatal(err)
		}
		done := run(t, b, op)
		if done.State != bulkoperation.StateFailed || done.Failed != 2 {
			t.Fatalf("operation %s failed %d, want both devices out of reach", done.State, done.Failed)
		}
		for _, id := range ids {
			if d, _ := b.svc.Get(b.owner, id); slices.Contains(d.Tags, "late") {
				t.Fatalf("device %s tagged by a member who lost it", id)
			}
		}
	})
}

// TestBulkRetire: retiring needs device.delete; a retired device keeps its
// row but loses its token, leaves lists and counts (unless asked for),
// is audited and rolls its parents up; an admin demoted before the run
// retires nothing.
func TestBulkRetire(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := bulkSetup(t, st)
		h := b.h
		sys := bypass.AsTenant(context.Background(), h.Tenant, "test: give devices a token")
		ids := []uuid.UUID{h.Devices[0][0][0], h.Devices[0][0][1]}
		for i, id := range ids {
			if err := b.st.Ent.Device.UpdateOneID(id).SetTokenHash("hash-" + id.String() + string(rune('a'+i))).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
		admin := member(t, b, viewer.RoleAdmin)
		op, err := b.svc.StartBulk(admin, device.Selection{IDs: ids}, device.BulkAction{Kind: device.BulkRetire})
		if err != nil {
			t.Fatal(err)
		}
		if done := run(t, b, op); done.State != bulkoperation.StateSucceeded || done.Processed != 2 || done.Failed != 0 {
			t.Fatalf("retire: %s processed %d failed %d %q", done.State, done.Processed, done.Failed, done.Errors)
		}
		for _, id := range ids {
			d, err := b.svc.Get(b.owner, id)
			if err != nil || d.RetiredAt == nil || d.TokenHash != nil {
				t.Fatalf("device %s after retiring: %+v %v", id, d, err)
			}
		}
		n, err := b.svc.Count(b.owner, device.Filter{OrganisationID: h.Organisations[0]})
		if err != nil || n != 2 {
			t.Fatalf("organisation counts %d devices (%v), want the 2 not retired", n, err)
		}
		if n, _ := b.svc.Count(b.owner, device.Filter{OrganisationID: h.Organisations[0], IncludeRetired: true}); n != 4 {
			t.Fatalf("with retired: %d, want 4", n)
		}
		items, _, err := b.svc.List(b.owner, device.Filter{GroupID: h.Groups[0][0]}, 10, "")
		if err != nil || len(items) != 0 {
			t.Fatalf("list shows %d retired devices (%v)", len(items), err)
		}
		audits, err := b.st.Ent.AuditEvent.Query().Where(auditevent.Action("device.retire")).Count(sys)
		if err != nil || audits != 2 {
			t.Fatalf("%d retirements audited (%v), want 2", audits, err)
		}
		queued := map[string]bool{}
		for _, j := range testenv.QueuedJobs(t, st) {
			if id, _ := j.Args["entity_id"].(string); j.Kind == "roll_up" {
				queued[id] = true
			}
		}
		if !queued[h.Groups[0][0].String()] || !queued[h.Organisations[0].String()] {
			t.Fatalf("retiring queued roll-ups of %v, want the group and the organisation", queued)
		}

		// Demoted between start and run: nothing is retired.
		next := h.Devices[1][0][0]
		op, err = b.svc.StartBulk(admin, device.Selection{IDs: []uuid.UUID{next}}, device.BulkAction{Kind: device.BulkRetire})
		if err != nil {
			t.Fatal(err)
		}
		v := viewer.FromContext(admin)
		if err := b.st.Ent.Membership.Update().Where(membership.UserID(v.UserID)).SetRole(membership.RoleTechnician).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if done := run(t, b, op); done.State != bulkoperation.StateFailed || done.Failed != 1 || !strings.Contains(done.Errors[0], "retire") {
			t.Fatalf("demoted retire: %s failed %d %q", done.State, done.Failed, done.Errors)
		}
		if d, _ := b.svc.Get(b.owner, next); d.RetiredAt != nil {
			t.Fatal("a demoted member's operation retired a device")
		}
	})
}
