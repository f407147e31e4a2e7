package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// User is a person who can log in. A user is global (one email, one
// password) and belongs to tenants through memberships; a viewer only sees
// users who are members of its tenant.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").NotEmpty().MaxLen(254).Unique(),
		field.String("display_name").Default("").MaxLen(200),
		// Empty until an invited user sets a password.
		field.String("password_hash").Default("").Sensitive(),
		// When the user proved control of the email (a mailed verification
		// link, invitation or password reset); nil while unverified.
		field.Time("email_verified_at").Optional().Nillable(),
		// SHA-256 of the pending email-verification token and its expiry;
		// cleared when used.
		field.String("verify_token_hash").Optional().Nillable().Unique().Sensitive(),
		field.Time("verify_expires_at").Optional().Nillable(),
		// SHA-256 of the pending password-reset token and its expiry;
		// cleared when used.
		field.String("reset_token_hash").Optional().Nillable().Unique().Sensitive(),
		field.Time("reset_expires_at").Optional().Nillable(),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type),
	}
}
