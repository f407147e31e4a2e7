// Package viewer carries who is asking through a context: the user, the tenant
// they act in, their role and organisation scope. Every tenant-owned query is
// filtered by the viewer in the context; a context without a viewer is denied.
package viewer

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// Role is a member's role inside one tenant.
type Role string

// The roles, most powerful first.
const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleTechnician Role = "technician"
	RoleViewer     Role = "viewer"
	RoleCustomer   Role = "customer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleTechnician, RoleViewer, RoleCustomer}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Scoped reports whether the role may be limited to chosen organisations.
func (r Role) Scoped() bool { return r == RoleTechnician || r == RoleCustomer }

// Viewer is the identity a request or job runs as.
type Viewer struct {
	// UserID is the acting user; uuid.Nil for jobs and system work.
	UserID uuid.UUID
	// TenantID is the only tenant whose rows the viewer can see.
	TenantID uuid.UUID
	// Role is the user's role in TenantID.
	Role Role
	// OrganisationIDs, when non-empty, limits the viewer to these organisations.
	OrganisationIDs []uuid.UUID
	// SessionID is the login session (refresh-token family) of a user viewer.
	SessionID uuid.UUID
	// APIKeyID is set when the request authenticated with an API key; the
	// viewer then has the key's role and scope, and UserID is the member
	// who created the key.
	APIKeyID uuid.UUID
	// SecondFactorSetupPending is true when the tenant requires a second
	// factor that this user has not set up: only procedures open during
	// setup are allowed.
	SecondFactorSetupPending bool
}

// Scoped reports whether the viewer is limited to chosen organisations.
func (v *Viewer) Scoped() bool { return len(v.OrganisationIDs) > 0 }

// CanSeeOrganisation reports whether the viewer's scope includes org.
func (v *Viewer) CanSeeOrganisation(org uuid.UUID) bool {
	return !v.Scoped() || slices.Contains(v.OrganisationIDs, org)
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or nil.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// System returns a viewer for work the server does inside one tenant on its
// own behalf (jobs, seeding): it sees the whole tenant and nothing else.
func System(tenantID uuid.UUID) *Viewer {
	return &Viewer{TenantID: tenantID, Role: RoleOwner}
}
