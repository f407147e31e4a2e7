// Package rule holds the privacy rules shared by the ent schemas: every
// tenant-owned row is filtered by the viewer's tenant (schema.TenantMixin
// carries those rules) and, for scoped viewers, by their organisations. No
// viewer means deny.
package rule

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// DenyIfNoViewer denies any query or mutation whose context carries no viewer.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("no viewer in context")
		}
		return privacy.Skip
	})
}

// FilterTenant limits every query and mutation to the viewer's tenant.
func FilterTenant() privacy.QueryMutationRule {
	type tenantFilter interface {
		WhereTenantID(entql.ValueP)
	}
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		tf, ok := f.(tenantFilter)
		if !ok {
			return privacy.Denyf("unexpected filter type %T", f)
		}
		tf.WhereTenantID(entql.ValueEQ(v.TenantID))
		return privacy.Skip
	})
}

// FilterOrganisationScope limits scoped viewers to rows of their
// organisations, by the row's organisation_id column.
func FilterOrganisationScope() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		if !v.Scoped() {
			return privacy.Skip
		}
		f.Where(entql.FieldIn("organisation_id", anys(v.OrganisationIDs)...))
		return privacy.Skip
	})
}

// FilterOwnOrganisations limits scoped viewers to their organisations, by id
// (for the Organisation schema itself).
func FilterOwnOrganisations() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		if !v.Scoped() {
			return privacy.Skip
		}
		f.Where(entql.FieldIn("id", anys(v.OrganisationIDs)...))
		return privacy.Skip
	})
}

func anys(ids []uuid.UUID) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// CheckCreateTenant makes sure a created row belongs to the viewer's
// tenant (its tenant_id field). TenantMixin puts it into the policy of every
// tenant-owned schema.
func CheckCreateTenant() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		tid, ok := m.Field("tenant_id")
		if !ok || tid != v.TenantID {
			return privacy.Denyf("row outside the viewer's tenant")
		}
		return privacy.Skip
	})
}

// CheckCreateScope makes sure a row created by a scoped viewer belongs to one
// of their organisations (field organisation_id, or id for orgField "id":
// scoped viewers never create organisations). The tenant is checked by
// CheckCreateTenant.
func CheckCreateScope(orgField string) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		if !v.Scoped() {
			return privacy.Skip
		}
		if orgField == "id" {
			return privacy.Denyf("scoped viewer cannot create organisations")
		}
		org, ok := m.Field(orgField)
		if !ok {
			return privacy.Denyf("row without organisation")
		}
		id, _ := org.(uuid.UUID)
		if !v.CanSeeOrganisation(id) {
			return privacy.Denyf("organisation outside the viewer's scope")
		}
		return privacy.Skip
	})
}
