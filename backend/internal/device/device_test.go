package device_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// bundle is what every test of this package starts from.
type bundle struct {
	st  *store.Store
	svc *device.Service
	h   *testenv.Hierarchy
	// owner acts as an owner of the hierarchy's tenant.
	owner context.Context
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	jc := testenv.Inserter(t, st)
	h := testenv.NewHierarchy(t, st)
	return &bundle{st: st, svc: device.NewService(st, jc), h: h, owner: h.As(viewer.RoleOwner)}
}

// TestMoveLooksUpEveryIDFirst: an organisation or group the viewer cannot
// see is not_found, whatever the other ids say; only ids the viewer sees
// are compared (a group of another organisation is invalid_argument).
func TestMoveLooksUpEveryIDFirst(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		dev := h.Devices[0][0][0]
		tech := h.As(viewer.RoleTechnician, h.Organisations[0])
		cases := []struct {
			name       string
			ctx        context.Context
			org, group uuid.UUID
			want       apperr.Kind
		}{
			{"invisible organisation, own group", tech, h.Organisations[1], h.Groups[0][1], apperr.KindNotFound},
			{"own organisation, invisible group", tech, h.Organisations[0], h.Groups[1][0], apperr.KindNotFound},
			{"invisible group alone", tech, uuid.Nil, h.Groups[1][0], apperr.KindNotFound},
			{"group of another organisation, both visible", b.owner, h.Organisations[0], h.Groups[1][0], apperr.KindInvalid},
			{"nothing named", b.owner, uuid.Nil, uuid.Nil, apperr.KindInvalid},
		}
		for _, c := range cases {
			if _, err := b.svc.Move(c.ctx, dev, c.org, c.group); !apperr.Is(err, c.want) {
				t.Errorf("%s: %v, want kind %d", c.name, err, c.want)
			}
		}
		d, err := b.svc.Get(b.owner, dev)
		if err != nil || d.OrganisationID != h.Organisations[0] || *d.GroupID != h.Groups[0][0] {
			t.Errorf("a refused move changed the device: %+v, %v", d, err)
		}
	})
}

// TestMoveQueuesAnalysisAndBothRollUps: a move re-analyses the device and
// rolls up the old and the new group and organisation; moving where the
// device already is changes and queues nothing.
func TestMoveQueuesAnalysisAndBothRollUps(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		dev := h.Devices[0][0][1]
		if _, err := b.svc.Move(b.owner, dev, uuid.Nil, h.Groups[1][1]); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{
			"analyze_device:" + dev.String():              false,
			"group:" + h.Groups[0][0].String():            false,
			"organisation:" + h.Organisations[0].String(): false,
			"group:" + h.Groups[1][1].String():            false,
			"organisation:" + h.Organisations[1].String(): false,
			"tenant:" + h.Tenant.String():                 false,
		}
		for _, j := range testenv.QueuedJobs(t, st) {
			switch j.Kind {
			case "analyze_device":
				want["analyze_device:"+j.Args["device_id"].(string)] = true
			case "roll_up":
				want[j.Args["kind"].(string)+":"+j.Args["entity_id"].(string)] = true
			}
		}
		for k, queued := range want {
			if !queued {
				t.Errorf("no job queued for %s", k)
			}
		}
		n := len(testenv.QueuedJobs(t, st))
		if _, err := b.svc.Move(b.owner, dev, h.Organisations[1], h.Groups[1][1]); err != nil {
			t.Fatal(err)
		}
		if again := len(testenv.QueuedJobs(t, st)); again != n {
			t.Errorf("a move to where the device is queued %d more jobs", again-n)
		}
		moves, err := st.Ent.AuditEvent.Query().Where(auditevent.Action("device.move"), auditevent.TargetID(dev)).Count(b.owner)
		if err != nil || moves != 1 {
			t.Errorf("audit events of the move: %d, %v; want 1", moves, err)
		}
	})
}

// TestDeleteTakesItsData: deleting a device removes its rows and records
// who did it; a technician cannot see, so cannot delete, a device of
// another organisation.
func TestDeleteTakesItsData(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		dev := h.Devices[1][0][0]
		err := st.Ent.InstalledSoftware.Create().SetTenantID(h.Tenant).SetDeviceID(dev).SetOrganisationID(h.Organisations[1]).
			SetName("payroll").Exec(b.owner)
		if err != nil {
			t.Fatal(err)
		}
		tech := h.As(viewer.RoleTechnician, h.Organisations[0])
		if err := b.svc.Delete(tech, dev); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("a technician of another organisation deleting: %v, want not found", err)
		}
		if err := b.svc.Delete(b.owner, dev); err != nil {
			t.Fatal(err)
		}
		if n, _ := st.Ent.InstalledSoftware.Query().Where(installedsoftware.DeviceID(dev)).Count(b.owner); n != 0 {
			t.Errorf("software rows left: %d", n)
		}
		if _, err := b.svc.Get(b.owner, dev); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("deleted device: %v", err)
		}
		if n, _ := st.Ent.AuditEvent.Query().Where(auditevent.Action("device.delete"), auditevent.TargetID(dev)).Count(b.owner); n != 1 {
			t.Errorf("audit events of the deletion: %d", n)
		}
	})
}
