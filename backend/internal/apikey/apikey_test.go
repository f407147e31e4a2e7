package apikey

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestMayGrant: nobody grants above their role; only owners grant owner.
func TestMayGrant(t *testing.T) {
	for _, c := range []struct {
		creator, key viewer.Role
		ok           bool
	}{
		{viewer.RoleOwner, viewer.RoleOwner, true},
		{viewer.RoleOwner, viewer.RoleCustomer, true},
		{viewer.RoleAdmin, viewer.RoleOwner, false},
		{viewer.RoleAdmin, viewer.RoleAdmin, true},
		{viewer.RoleAdmin, viewer.RoleTechnician, true},
		{viewer.RoleTechnician, viewer.RoleAdmin, false},
		{viewer.RoleViewer, viewer.RoleTechnician, false},
		{viewer.RoleViewer, viewer.RoleCustomer, true},
		{viewer.RoleCustomer, viewer.RoleViewer, false},
	} {
		if got := mayGrant(c.creator, c.key); got != c.ok {
			t.Errorf("mayGrant(%s, %s) = %v, want %v", c.creator, c.key, got, c.ok)
		}
	}
}

// TestCheckGrantScope: organisation scope follows the invitation rules,
// and a scoped creator could pass on only its own organisations.
func TestCheckGrantScope(t *testing.T) {
	admin := &viewer.Viewer{Role: viewer.RoleAdmin}
	org := uuid.New()
	if err := checkGrant(admin, viewer.RoleCustomer, nil); !apperr.Is(err, apperr.KindInvalid) {
		t.Errorf("customer without organisations: %v", err)
	}
	if err := checkGrant(admin, viewer.RoleViewer, []uuid.UUID{org}); !apperr.Is(err, apperr.KindInvalid) {
		t.Errorf("viewer with organisations: %v", err)
	}
	if err := checkGrant(admin, viewer.RoleTechnician, nil); err != nil {
		t.Errorf("unscoped technician: %v", err)
	}
	scoped := &viewer.Viewer{Role: viewer.RoleAdmin, OrganisationIDs: []uuid.UUID{org}}
	if err := checkGrant(scoped, viewer.RoleCustomer, []uuid.UUID{uuid.New()}); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("scoped creator passing on another organisation: %v", err)
	}
	if err := checkGrant(scoped, viewer.RoleCustomer, []uuid.UUID{org}); err != nil {
		t.Errorf("scoped creator passing on its own: %v", err)
	}
}

type fixed string

func (f fixed) Authenticate(context.Context, string) (*viewer.Viewer, error) {
	return &viewer.Viewer{Role: viewer.Role(f)}, nil
}

// TestAuthenticatorRoutesByPrefix: only "wwk_" tokens go to the keys; a
// malformed key is refused before any lookup.
func TestAuthenticatorRoutesByPrefix(t *testing.T) {
	a := Authenticator{Keys: &Service{}, Sessions: fixed("session")}
	if v, err := a.Authenticate(context.Background(), "eyJhbGciOi.x.y"); err != nil || v.Role != "session" {
		t.Fatalf("access token: %v %v", v, err)
	}
	if _, err := a.Authenticate(context.Background(), "wwk_short"); !apperr.Is(err, apperr.KindUnauthenticated) {
		t.Fatalf("malformed key: %v", err)
	}
}
