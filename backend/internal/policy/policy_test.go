package policy_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// bundle is what every test of this package starts from.
type bundle struct {
	st    *store.Store
	svc   *policy.Service
	h     *testenv.Hierarchy
	owner context.Context
}

func setup(t *testing.T, st *store.Store) *bundle {
	t.Helper()
	jc := testenv.Inserter(t, st)
	h := testenv.NewHierarchy(t, st)
	return &bundle{st: st, svc: policy.NewService(st, jc), h: h, owner: h.As(viewer.RoleOwner)}
}

func warnAt(days float64) policy.Input {
	return policy.Input{CheckID: "system.uptime", Warn: &days, Reason: "test"}
}

// TestNearestLevelWins: tenant, organisation, group and device overrides of
// one check merge so that the nearest one applies to each device, and
// setting one queues re-analysis of exactly the devices below it.
func TestNearestLevelWins(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		set := func(sc policy.Scope, days float64) int {
			t.Helper()
			_, queued, err := b.svc.Set(b.owner, sc, warnAt(days))
			if err != nil {
				t.Fatalf("set %s: %v", sc.Level, err)
			}
			return queued
		}
		if n := set(policy.Scope{Level: policy.LevelTenant, ID: h.Tenant}, 10); n != 8 {
			t.Errorf("a tenant override re-analyses %d devices, want 8", n)
		}
		if n := set(policy.Scope{Level: policy.LevelOrganisation, ID: h.Organisations[0]}, 20); n != 4 {
			t.Errorf("an organisation override re-analyses %d devices, want 4", n)
		}
		if n := set(policy.Scope{Level: policy.LevelGroup, ID: h.Groups[0][0]}, 30); n != 2 {
			t.Errorf("a group override re-analyses %d devices, want 2", n)
		}
		if n := set(policy.Scope{Level: policy.LevelDevice, ID: h.Devices[0][0][0]}, 40); n != 1 {
			t.Errorf("a device override re-analyses %d devices, want 1", n)
		}
		for _, c := range []struct {
			dev  uuid.UUID
			want float64
		}{
			{h.Devices[0][0][0], 40}, // device
			{h.Devices[0][0][1], 30}, // group
			{h.Devices[0][1][0], 20}, // organisation
			{h.Devices[1][0][0], 10}, // tenant
		} {
			eff, err := b.svc.Effective(b.owner, c.dev)
			if err != nil {
				t.Fatal(err)
			}
			ov, ok := eff.Policy.Overrides["system.uptime"]
			if !ok || ov.Warn == nil || *ov.Warn != c.want {
				t.Errorf("device %s: effective warn %v, want %v", c.dev, ov.Warn, c.want)
			}
		}
	})
}

// TestOverrideNeedsAKnownCheckAndAVisibleScope: an unknown check is
// invalid; a scope the viewer cannot see is not found and nothing is
// stored.
func TestOverrideNeedsAKnownCheckAndAVisibleScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		bad := warnAt(5)
		bad.CheckID = "no.such.check"
		if _, _, err := b.svc.Set(b.owner, policy.Scope{Level: policy.LevelTenant, ID: h.Tenant}, bad); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("unknown check: %v, want invalid", err)
		}
		tech := h.As(viewer.RoleTechnician, h.Organisations[0])
		if _, _, err := b.svc.Set(tech, policy.Scope{Level: policy.LevelGroup, ID: h.Groups[1][0]}, warnAt(5)); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("group of another organisation: %v, want not found", err)
		}
		if n, _ := st.Ent.PolicyOverride.Query().Count(b.owner); n != 0 {
			t.Errorf("%d overrides stored by refused calls", n)
		}
	})
}
