package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Tenant is one MSP: the boundary no row crosses.
type Tenant struct{ ent.Schema }

// Mixin of the Tenant.
func (Tenant) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

// Fields of the Tenant. The retention_* fields say how many days the
// periodic prune job keeps each kind of record (see backend/internal/retention
// for the defaults and bounds).
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200),
		field.Int("retention_snapshot_days").Default(90),
		field.Int("retention_history_days").Default(400),
		field.Int("retention_notification_days").Default(90),
		field.Int("retention_delivery_days").Default(30),
		field.Int("retention_audit_days").Default(365),
		// Every member must have a second factor (see backend/internal/mfa).
		field.Bool("require_second_factor").Default(false),
	}
}

// Edges of the Tenant: its branding (at most one row, a unique index on
// tenant_id), loaded with the tenant for WhoAmI and GetTenant.
func (Tenant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("branding", TenantBranding.Type).Ref("tenant"),
	}
}
