package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Membership gives a user a role in one tenant, optionally limited to chosen
// organisations.
type Membership struct{ ent.Schema }

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.Enum("role").Values("owner", "admin", "technician", "viewer", "customer"),
		// Empty means the whole tenant.
		field.JSON("organisation_ids", []uuid.UUID{}).Default([]uuid.UUID{}),
		field.Time("disabled_at").Optional().Nillable(),
		// SHA-256 of the one-time invitation token; cleared on acceptance.
		field.String("invitation_token_hash").Optional().Nillable().Unique().Sensitive(),
		field.Time("invitation_expires_at").Optional().Nillable(),
		field.Time("accepted_at").Optional().Nillable(),
		field.UUID("invited_by", uuid.UUID{}).Optional().Nillable(),
		// Name shown in this tenant, set by the member on sign-up or
		// acceptance; never taken from another tenant. Empty: the email.
		field.String("display_name").Default("").MaxLen(200),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("memberships").Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Membership.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "user_id").Unique(),
		index.Fields("user_id"),
	}
}
