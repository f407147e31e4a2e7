package narrative_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	entnarrative "github.com/wegweiser/wegweiser/ent/narrative"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestNarrativesFollowTheirEntity: a device's narrative moves with the
// device and is deleted with it; a group's and an organisation's go with
// them; scoped viewers see only their organisations' narratives.
func TestNarrativesFollowTheirEntity(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		h := testenv.NewHierarchy(t, st)
		ctx := h.As(viewer.RoleOwner)
		o0, o1 := h.Organisations[0], h.Organisations[1]
		dev, moved := h.Devices[0][0][0], h.Devices[0][0][1]
		add := func(kind entnarrative.EntityKind, id uuid.UUID, org *uuid.UUID) {
			t.Helper()
			err := st.Ent.Narrative.Create().SetTenantID(h.Tenant).SetEntityKind(kind).SetEntityID(id).SetNillableOrganisationID(org).
				SetFindingsHash("h").SetText("t").SetNextSteps(json.RawMessage("[]")).SetModel("builtin").SetGeneratedAt(time.Now()).Exec(ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		add(entnarrative.EntityKindDevice, dev, &o0)
		add(entnarrative.EntityKindDevice, moved, &o0)
		add(entnarrative.EntityKindGroup, h.Groups[0][1], &o0)
		add(entnarrative.EntityKindOrganisation, o1, &o1)
		add(entnarrative.EntityKindTenant, h.Tenant, nil)
		of := func(id uuid.UUID) *ent.Narrative {
			n, err := st.Ent.Narrative.Query().Where(entnarrative.EntityID(id)).Only(ctx)
			if ent.IsNotFound(err) {
				return nil
			}
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// A scoped viewer of o0 sees o0's narratives, not o1's nor the tenant's.
		scoped := h.As(viewer.RoleTechnician, o0)
		if n, err := st.Ent.Narrative.Query().Count(scoped); err != nil || n != 3 {
			t.Fatalf("scoped viewer sees %d narratives (%v), want 3", n, err)
		}

		err := st.Tx(ctx, func(tx *store.Tx) error {
			return devicedata.Relocate(ctx, tx, h.Tenant, moved, o1, &h.Groups[1][0])
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := of(moved); n == nil || n.OrganisationID == nil || *n.OrganisationID != o1 {
			t.Fatalf("moved device's narrative: %+v", n)
		}
		if err := st.Tx(ctx, func(tx *store.Tx) error { return devicedata.PurgeDevice(ctx, tx, h.Tenant, dev) }); err != nil {
			t.Fatal(err)
		}
		if of(dev) != nil {
			t.Fatal("deleted device's narrative kept")
		}
		if err := st.Tx(ctx, func(tx *store.Tx) error { return devicedata.PurgeGroup(ctx, tx, h.Tenant, h.Groups[0][1]) }); err != nil {
			t.Fatal(err)
		}
		if of(h.Groups[0][1]) != nil {
			t.Fatal("deleted group's narrative kept")
		}
		if err := st.Tx(ctx, func(tx *store.Tx) error { return devicedata.PurgeOrganisation(ctx, tx, h.Tenant, o1) }); err != nil {
			t.Fatal(err)
		}
		if of(o1) != nil || of(moved) != nil {
			t.Fatal("deleted organisation's narratives kept")
		}
		if of(h.Tenant) == nil {
			t.Fatal("the tenant's narrative went with an organisation")
		}
	})
}

// TestEffort: hardware replacement is a project, updates and services are
// minutes, the rest about an hour.
func TestEffort(t *testing.T) {
	for check, want := range map[string]narrative.Effort{
		"storage.smart_health": narrative.EffortProject, "hardware.age": narrative.EffortProject,
		"security.missing_critical_updates": narrative.EffortMinutes, "system.services": narrative.EffortMinutes,
		"performance.memory": narrative.EffortHours,
	} {
		var domain analyzer.Domain
		for _, c := range analyzer.Catalogue() {
			if c.ID == check {
				domain = c.Domain
			}
		}
		if domain == "" {
			t.Fatalf("%s is not in the catalogue", check)
		}
		if got := narrative.EffortFor(check, domain); got != want {
			t.Errorf("%s: %s, want %s", check, got, want)
		}
	}
}
