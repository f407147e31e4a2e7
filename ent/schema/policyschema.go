package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// PolicyOverride changes one check at one level (tenant, organisation,
// group, device); the nearest level wins.
type PolicyOverride struct{ ent.Schema }

// Mixin of the PolicyOverride.
func (PolicyOverride) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the PolicyOverride.
func (PolicyOverride) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("level").Values("tenant", "organisation", "group", "device").Immutable(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		// The organisation of the target; nil for tenant-level overrides.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("check_id").NotEmpty().MaxLen(100).Immutable(),
		field.Bool("enabled").Optional().Nillable(),
		field.Float("warn").Optional().Nillable(),
		field.Float("fail").Optional().Nillable(),
		field.String("severity").Default("").MaxLen(16),
		field.Bool("suppress").Default(false),
		field.String("reason").NotEmpty().MaxLen(500),
		field.String("updated_by").Default("").MaxLen(254),
	}
}

// Indexes of the PolicyOverride.
func (PolicyOverride) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "level", "target_id", "check_id").Unique(),
	}
}

// PolicyGuidance is free text for the AI narrative at one level. It is
// untrusted text: it never changes a score.
type PolicyGuidance struct{ ent.Schema }

// Mixin of the PolicyGuidance.
func (PolicyGuidance) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the PolicyGuidance.
func (PolicyGuidance) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("level").Values("tenant", "organisation", "group", "device").Immutable(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("text").MaxLen(4000),
		field.String("updated_by").Default("").MaxLen(254),
	}
}

// Indexes of the PolicyGuidance.
func (PolicyGuidance) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "level", "target_id").Unique(),
	}
}

// PolicyAudit records one policy change: who, when, what and why.
type PolicyAudit struct{ ent.Schema }

// Mixin of the PolicyAudit.
func (PolicyAudit) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the PolicyAudit.
func (PolicyAudit) Fields() []ent.Field {
	return []ent.Field{
		field.String("action").MaxLen(16).Immutable(),
		field.String("level").MaxLen(16).Immutable(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("check_id").Default("").MaxLen(100).Immutable(),
		field.UUID("actor_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("actor").Default("").MaxLen(254).Immutable(),
		field.String("reason").Default("").MaxLen(500).Immutable(),
		field.String("detail").Default("").MaxLen(8000).Immutable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the PolicyAudit.
func (PolicyAudit) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
	}
}
