package pbconv

import (
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

var entityKinds = map[v1.EntityKind]health.Kind{
	v1.EntityKind_ENTITY_KIND_DEVICE:       health.KindDevice,
	v1.EntityKind_ENTITY_KIND_GROUP:        health.KindGroup,
	v1.EntityKind_ENTITY_KIND_ORGANISATION: health.KindOrganisation,
	v1.EntityKind_ENTITY_KIND_TENANT:       health.KindTenant,
}

// EntityRef converts a request's entity reference; field names it in
// errors. A missing reference is the tenant when tenantDefault is set.
func EntityRef(field string, e *v1.EntityRef, tenantDefault bool) (health.Ref, error) {
	if e == nil {
		if tenantDefault {
			return health.Ref{Kind: health.KindTenant}, nil
		}
		return health.Ref{}, apperr.Invalid(field, "is required")
	}
	k, ok := entityKinds[e.GetKind()]
	if !ok {
		if e.GetKind() == v1.EntityKind_ENTITY_KIND_UNSPECIFIED && e.GetId() == "" && tenantDefault {
			return health.Ref{Kind: health.KindTenant}, nil
		}
		return health.Ref{}, apperr.Invalid(field+".kind", "must be device, group, organisation or tenant")
	}
	if k == health.KindTenant {
		id, err := validate.OptionalID(field+".id", e.GetId())
		return health.Ref{Kind: k, ID: id}, err
	}
	id, err := validate.ID(field+".id", e.GetId())
	return health.Ref{Kind: k, ID: id}, err
}

// Entity converts an entity reference for a response.
func Entity(r health.Ref) *v1.EntityRef {
	for pk, k := range entityKinds {
		if k == r.Kind {
			return &v1.EntityRef{Kind: pk, Id: r.ID.String()}
		}
	}
	return nil
}
