package tenancy_test

import (
	"context"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/enrolmentkey"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// bundle is what every test of this package starts from.
type bundle struct {
	st    *store.Store
	svc   *tenancy.Service
	h     *testenv.Hierarchy
	owner context.Context
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	jc := testenv.Inserter(t, st)
	h := testenv.NewHierarchy(t, st)
	return &bundle{st: st, svc: tenancy.NewService(st, jc), h: h, owner: h.As(viewer.RoleOwner)}
}

// TestDeleteGroupKeepsDevices: a deleted group's devices stay in the
// organisation without a group and are re-analysed; the group's enrolment
// keys go with it.
func TestDeleteGroupKeepsDevices(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		group := h.Groups[0][1]
		err := st.Ent.EnrolmentKey.Create().SetTenantID(h.Tenant).SetOrganisationID(h.Organisations[0]).SetGroupID(group).
			SetSecretHash("hash-of-a-group-key").SetPrefix("wwe_abc").Exec(b.owner)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.svc.DeleteGroup(b.owner, group); err != nil {
			t.Fatal(err)
		}
		for _, id := range h.Devices[0][1] {
			d, err := st.Ent.Device.Get(b.owner, id)
			if err != nil {
				t.Fatalf("device of the deleted group: %v", err)
			}
			if d.GroupID != nil || d.OrganisationID != h.Organisations[0] {
				t.Errorf("device %s: group %v organisation %s, want no group in the same organisation", id, d.GroupID, d.OrganisationID)
			}
		}
		if n, _ := st.Ent.EnrolmentKey.Query().Where(enrolmentkey.GroupID(group)).Count(b.owner); n != 0 {
			t.Errorf("keys of the deleted group: %d", n)
		}
		analysed := map[string]bool{}
		for _, j := range testenv.QueuedJobs(t, st) {
			if j.Kind == "analyze_device" {
				analysed[j.Args["device_id"].(string)] = true
			}
		}
		for _, id := range h.Devices[0][1] {
			if !analysed[id.String()] {
				t.Errorf("device %s of the deleted group is not re-analysed", id)
			}
		}
		if err := b.svc.DeleteGroup(b.owner, group); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("deleting it again: %v, want not found", err)
		}
	})
}

// TestDeleteOrganisationNeedsForce: an organisation with groups or devices
// is deleted only with force, and then entirely; without it nothing is
// touched. A technician limited to it cannot delete it.
func TestDeleteOrganisationNeedsForce(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		org := h.Organisations[1]
		if err := b.svc.DeleteOrganisation(b.owner, org, false); !apperr.Is(err, apperr.KindFailedPrecondition) {
			t.Fatalf("without force: %v, want failed precondition", err)
		}
		if n, _ := st.Ent.Device.Query().Where(device.OrganisationID(org)).Count(b.owner); n != 4 {
			t.Fatalf("a refused deletion left %d of 4 devices", n)
		}
		if err := b.svc.DeleteOrganisation(h.As(viewer.RoleTechnician, h.Organisations[0]), org, true); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("a technician of another organisation: %v, want not found", err)
		}
		if err := b.svc.DeleteOrganisation(b.owner, org, true); err != nil {
			t.Fatal(err)
		}
		if n, _ := st.Ent.Device.Query().Where(device.OrganisationID(org)).Count(b.owner); n != 0 {
			t.Errorf("devices left after a forced deletion: %d", n)
		}
		if n, _ := st.Ent.Device.Query().Where(device.OrganisationID(h.Organisations[0])).Count(b.owner); n != 4 {
			t.Errorf("the other organisation lost devices: %d of 4 left", n)
		}
	})
}
