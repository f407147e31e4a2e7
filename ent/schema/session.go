package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Session is one sign-in of a user in a tenant. Its id is the family of the
// refresh tokens that keep it alive (and the sid claim of its access
// tokens); revoking it ends them all.
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		// How it was signed in: password, password_mfa, passkey, sso,
		// invitation, signup.
		field.String("method").NotEmpty().MaxLen(32),
		field.Time("created_at").Immutable(),
		// When the user last proved who they are (sign-in or
		// re-authentication); factor changes need it to be recent.
		field.Time("authenticated_at"),
		// Last refresh or authenticated request, updated at most once a
		// minute.
		field.Time("last_used_at"),
		field.Time("expires_at"),
		field.String("address").Default("").MaxLen(64),
		field.String("user_agent").Default("").MaxLen(300),
		field.Time("revoked_at").Optional().Nillable(),
		// True while the tenant requires a second factor that the user has
		// not set up: the session reaches only the factor setup.
		field.Bool("factor_setup_pending").Default(false),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "user_id"),
		index.Fields("user_id"),
	}
}
