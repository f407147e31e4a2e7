package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// APIKey is a long-lived credential of one member in one tenant for
// integrations and AI clients: it acts with its own role and organisation
// scope (never above its creator's). Only the SHA-256 of its secret is
// stored.
type APIKey struct{ ent.Schema }

// Mixin of the APIKey.
func (APIKey) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(400),
		// The secret's first characters ("wwk_" and eight more), shown to
		// recognise the key.
		field.String("prefix").NotEmpty().MaxLen(16).Immutable(),
		field.String("secret_hash").NotEmpty().Unique().Immutable().Sensitive(),
		field.Enum("role").Values("owner", "admin", "technician", "viewer", "customer").Immutable(),
		// When non-empty, the key only sees these organisations.
		field.JSON("organisation_ids", []uuid.UUID{}).Default([]uuid.UUID{}).Immutable(),
		// The member who created the key; the key acts as them.
		field.UUID("created_by", uuid.UUID{}).Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Optional().Nillable().Immutable(),
		// Last authenticated request, updated at most once a minute.
		field.Time("last_used_at").Optional().Nillable(),
		field.String("last_used_address").Default("").MaxLen(64),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Indexes of the APIKey.
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
	}
}
