package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// EnrolmentKey lets agents enrol into one organisation (and optionally one
// group). Only the SHA-256 of its secret is stored.
type EnrolmentKey struct{ ent.Schema }

// Mixin of the EnrolmentKey.
func (EnrolmentKey) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the EnrolmentKey.
func (EnrolmentKey) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("organisation_id", uuid.UUID{}).Immutable(),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("description").Default("").MaxLen(200),
		field.String("secret_hash").NotEmpty().Unique().Immutable().Sensitive(),
		field.String("prefix").Immutable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Int("max_uses").Default(0).NonNegative(),
		field.Int("uses").Default(0).NonNegative(),
		field.Time("revoked_at").Optional().Nillable(),
		field.UUID("created_by", uuid.UUID{}).Optional().Nillable().Immutable(),
	}
}

// Indexes of the EnrolmentKey.
func (EnrolmentKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "organisation_id", "created_at"),
	}
}
