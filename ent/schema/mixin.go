package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/rule"
)

// newID returns a time-ordered UUID (v7), which keeps B-tree inserts local.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// IDMixin gives a schema a UUIDv7 primary key.
type IDMixin struct{ mixin.Schema }

// Fields of the IDMixin.
func (IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("id", uuid.UUID{}).Default(newID).Immutable(),
	}
}

// TimeMixin adds created_at and updated_at.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
		field.Time("updated_at").Default(func() time.Time { return time.Now().UTC() }).UpdateDefault(func() time.Time { return time.Now().UTC() }),
	}
}

// TenantMixin marks a schema as tenant-owned: it adds tenant_id, the edge to
// Tenant and the privacy policy every tenant-owned row needs, so no schema
// can forget it: no viewer means deny, every query and mutation is filtered
// by the viewer's tenant, and a created row must belong to that tenant. The
// policy is evaluated before the schema's own (organisation scope and the
// like). TestIsolationEverySchema in backend/internal/server checks every
// schema with a tenant_id column.
type TenantMixin struct{ mixin.Schema }

// Policy of the TenantMixin.
func (TenantMixin) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreateTenant(), rule.FilterTenant(),
		},
	}
}

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("tenant_id", uuid.UUID{}).Immutable(),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tenant", Tenant.Type).Field("tenant_id").Unique().Required().Immutable(),
	}
}
