// Package scope resolves the entity a conversation or a memory is about:
// it checks the viewer can open it, and names it, its organisation and the
// entities above it.
package scope

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Entity is a resolved scope.
type Entity struct {
	// Ref names it; for the tenant, Ref.ID is the tenant's id.
	Ref health.Ref
	// Name is its hostname or name.
	Name string
	// OrganisationID is its organisation (itself for organisations); nil
	// for the tenant.
	OrganisationID *uuid.UUID
	// Above are the entities above it, nearest first (group, organisation,
	// tenant).
	Above []health.Ref
}

// Chain returns the entity followed by those above it.
func (e Entity) Chain() []health.Ref { return append([]health.Ref{e.Ref}, e.Above...) }

// Resolve loads ref as the viewer in ctx: not_found for an entity the
// viewer cannot open, permission_denied for the tenant when the viewer is
// limited to chosen organisations.
func Resolve(ctx context.Context, c *ent.Client, ref health.Ref) (Entity, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return Entity{}, apperr.Unauthenticated("no caller")
	}
	tenant := health.Ref{Kind: health.KindTenant, ID: v.TenantID}
	switch ref.Kind {
	case health.KindDevice:
		d, err := c.Device.Get(ctx, ref.ID)
		if err != nil {
			return Entity{}, apperr.NotFoundIf(err, "device")
		}
		org := d.OrganisationID
		e := Entity{Ref: ref, Name: d.Hostname, OrganisationID: &org}
		if d.GroupID != nil {
			e.Above = append(e.Above, health.Ref{Kind: health.KindGroup, ID: *d.GroupID})
		}
		e.Above = append(e.Above, health.Ref{Kind: health.KindOrganisation, ID: org}, tenant)
		return e, nil
	case health.KindGroup:
		g, err := c.Group.Get(ctx, ref.ID)
		if err != nil {
			return Entity{}, apperr.NotFoundIf(err, "group")
		}
		org := g.OrganisationID
		return Entity{Ref: ref, Name: g.Name, OrganisationID: &org,
			Above: []health.Ref{{Kind: health.KindOrganisation, ID: org}, tenant}}, nil
	case health.KindOrganisation:
		o, err := c.Organisation.Get(ctx, ref.ID)
		if err != nil {
			return Entity{}, apperr.NotFoundIf(err, "organisation")
		}
		id := o.ID
		return Entity{Ref: ref, Name: o.Name, OrganisationID: &id, Above: []health.Ref{tenant}}, nil
	case health.KindTenant:
		if ref.ID != uuid.Nil && ref.ID != v.TenantID {
			return Entity{}, apperr.NotFound("tenant")
		}
		if v.Scoped() {
			return Entity{}, apperr.PermissionDenied("your access is limited to chosen organisations; ask about one of them instead")
		}
		t, err := c.Tenant.Get(ctx, v.TenantID)
		if err != nil {
			return Entity{}, fmt.Errorf("load tenant: %w", err)
		}
		return Entity{Ref: tenant, Name: t.Name}, nil
	}
	return Entity{}, apperr.Invalid("scope.kind", "must be device, group, organisation or tenant")
}
