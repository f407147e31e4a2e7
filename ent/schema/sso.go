package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// SSOConfig is a tenant's OpenID Connect provider for single sign-on: one
// row per tenant. The client secret is sealed with the operator's secret
// key (secrets.Box, bound to the tenant id) and never returned. The email
// domains it claims are SSODomain rows.
type SSOConfig struct{ ent.Schema }

// Mixin of the SSOConfig.
func (SSOConfig) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the SSOConfig.
func (SSOConfig) Fields() []ent.Field {
	return []ent.Field{
		field.String("issuer_url").NotEmpty().MaxLen(500),
		field.String("client_id").NotEmpty().MaxLen(500),
		// The client secret sealed by secrets.Box; nil for a public client.
		field.Bytes("client_secret_encrypted").Optional().Nillable().Sensitive(),
		// Role of members created at first sign-in; empty: no just-in-time
		// membership. Never owner.
		field.Enum("default_role").Values("admin", "technician", "viewer", "customer").Optional().Nillable(),
		field.Bool("sso_only").Default(false),
		field.Bool("enabled").Default(false),
		field.Time("updated_at").Default(func() time.Time { return time.Now().UTC() }),
	}
}

// Indexes of the SSOConfig.
func (SSOConfig) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id").Unique()}
}

// SSODomain is one email domain a tenant's single sign-on claims. A domain
// belongs to one tenant only (the unique index holds across tenants).
type SSODomain struct{ ent.Schema }

// Mixin of the SSODomain.
func (SSODomain) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the SSODomain.
func (SSODomain) Fields() []ent.Field {
	return []ent.Field{
		// Lower case, e.g. "example.com".
		field.String("domain").NotEmpty().MaxLen(253).Unique().Immutable(),
	}
}

// Indexes of the SSODomain.
func (SSODomain) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id")}
}

// SSOState is one single sign-on in flight, from StartSingleSignOn to the
// provider's callback: the state (stored as its SHA-256), the nonce the ID
// token must carry, the PKCE verifier and the hash of the browser binding.
// It lives ten minutes and is deleted when used.
type SSOState struct{ ent.Schema }

// Mixin of the SSOState.
func (SSOState) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the SSOState.
func (SSOState) Fields() []ent.Field {
	return []ent.Field{
		field.String("state_hash").NotEmpty().MaxLen(64).Unique().Immutable().Sensitive(),
		field.String("nonce").NotEmpty().MaxLen(100).Immutable().Sensitive(),
		field.String("pkce_verifier").NotEmpty().MaxLen(200).Immutable().Sensitive(),
		// SHA-256 (hex) of the browser's binding value.
		field.String("binding_hash").NotEmpty().MaxLen(64).Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
	}
}

// Indexes of the SSOState.
func (SSOState) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

// SSOLoginCode is the one-time code the callback hands the dashboard
// (stored as its SHA-256): redeemed once, within a minute, by the browser
// holding the binding, for a token pair of user in the tenant.
type SSOLoginCode struct{ ent.Schema }

// Mixin of the SSOLoginCode.
func (SSOLoginCode) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the SSOLoginCode.
func (SSOLoginCode) Fields() []ent.Field {
	return []ent.Field{
		field.String("code_hash").NotEmpty().MaxLen(64).Unique().Immutable().Sensitive(),
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.String("binding_hash").NotEmpty().MaxLen(64).Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
	}
}

// Indexes of the SSOLoginCode.
func (SSOLoginCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

// UserIdentity links a user to an account at a tenant's identity provider
// (issuer and subject of its ID tokens). Links are kept per tenant: a
// provider one tenant configured never speaks for a user in another.
type UserIdentity struct{ ent.Schema }

// Mixin of the UserIdentity.
func (UserIdentity) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the UserIdentity.
func (UserIdentity) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.String("issuer").NotEmpty().MaxLen(500).Immutable(),
		field.String("subject").NotEmpty().MaxLen(255).Immutable(),
		field.Time("created_at").Immutable(),
	}
}

// Indexes of the UserIdentity.
func (UserIdentity) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "issuer", "subject").Unique(),
		index.Fields("tenant_id", "user_id"),
	}
}
