package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/rule"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// ownUserPolicy limits a user-owned global row (a second factor) to its
// user: a viewer sees and changes only rows whose user_id is its own and
// creates only such rows. Sign-in (no viewer yet) uses an explicit allow
// decision.
func ownUserPolicy() ent.Policy {
	filter := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		f.Where(entql.FieldEQ("user_id", viewer.FromContext(ctx).UserID))
		return privacy.Skip
	})
	type userIDGetter interface{ UserID() (uuid.UUID, bool) }
	checkCreate := privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		g, ok := m.(userIDGetter)
		if !ok {
			return privacy.Denyf("mutation has no user_id")
		}
		if id, set := g.UserID(); !set || id != viewer.FromContext(ctx).UserID {
			return privacy.Denyf("row must belong to the viewer's user")
		}
		return privacy.Skip
	}), ent.OpCreate)
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), filter},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), checkCreate, filter},
	}
}

// Passkey is one WebAuthn credential of a user. Like the user it is global:
// it signs in to every tenant the user belongs to.
type Passkey struct{ ent.Schema }

// Mixin of the Passkey.
func (Passkey) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

// Fields of the Passkey.
func (Passkey) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.Bytes("credential_id").NotEmpty().MaxLen(1023).Unique().Immutable(),
		// COSE-encoded public key.
		field.Bytes("public_key").NotEmpty().Immutable(),
		field.Uint32("sign_count").Default(0),
		field.Bytes("aaguid").Optional(),
		// Transports the authenticator reported (usb, nfc, ble, internal, hybrid).
		field.Strings("transports").Optional(),
		field.String("attestation_type").Default("").MaxLen(64),
		field.Bool("backup_eligible").Default(false),
		field.Bool("backup_state").Default(false),
		field.Bool("user_verified").Default(false),
		field.String("name").NotEmpty().MaxLen(100),
		field.Time("created_at").Immutable(),
		field.Time("last_used_at").Optional().Nillable(),
	}
}

// Indexes of the Passkey.
func (Passkey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Policy of the Passkey: its user only.
func (Passkey) Policy() ent.Policy { return ownUserPolicy() }

// TotpSecret is a user's authenticator-app secret, sealed with the
// operator's secret key (secrets.Box, bound to the row id). It is pending
// until a code confirms it; a user has at most one confirmed secret.
type TotpSecret struct{ ent.Schema }

// Mixin of the TotpSecret.
func (TotpSecret) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

// Fields of the TotpSecret.
func (TotpSecret) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.Bytes("secret_sealed").NotEmpty().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		// Set when a code confirmed the enrolment; nil while pending.
		field.Time("confirmed_at").Optional().Nillable(),
		// The last time step a code was accepted for, so a code works once.
		field.Int64("last_used_step").Default(0),
	}
}

// Indexes of the TotpSecret.
func (TotpSecret) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Policy of the TotpSecret: its user only.
func (TotpSecret) Policy() ent.Policy { return ownUserPolicy() }

// RecoveryCode is one single-use recovery code of a user, stored as its
// SHA-256.
type RecoveryCode struct{ ent.Schema }

// Mixin of the RecoveryCode.
func (RecoveryCode) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

// Fields of the RecoveryCode.
func (RecoveryCode) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.String("code_hash").NotEmpty().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("used_at").Optional().Nillable(),
	}
}

// Indexes of the RecoveryCode.
func (RecoveryCode) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "code_hash")}
}

// Policy of the RecoveryCode: its user only.
func (RecoveryCode) Policy() ent.Policy { return ownUserPolicy() }

// WebAuthnChallenge is the server side of one WebAuthn ceremony: the
// library's session data, what it is for and what it is bound to (the
// user and session for registration and re-authentication, the sign-in
// attempt for a second factor, nothing for a passkey sign-in). It expires
// after two minutes and is used once.
type WebAuthnChallenge struct{ ent.Schema }

// Mixin of the WebAuthnChallenge.
func (WebAuthnChallenge) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}} }

// Fields of the WebAuthnChallenge.
func (WebAuthnChallenge) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("purpose").Values("register", "sign_in", "second_factor", "reauth").Immutable(),
		field.UUID("user_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.UUID("session_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.UUID("attempt_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		// webauthn.SessionData as JSON.
		field.Bytes("session_data").NotEmpty().Immutable(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("used_at").Optional().Nillable(),
	}
}

// Indexes of the WebAuthnChallenge.
func (WebAuthnChallenge) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

// Policy of the WebAuthnChallenge: only through an explicit allow
// decision (ceremonies check their bindings themselves).
func (WebAuthnChallenge) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// SignInAttempt is a sign-in whose password was right and whose second
// factor is pending: its token (stored as SHA-256) lets the client finish
// with a second factor within five minutes and at most five wrong answers.
type SignInAttempt struct{ ent.Schema }

// Mixin of the SignInAttempt.
func (SignInAttempt) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TenantMixin{}} }

// Fields of the SignInAttempt.
func (SignInAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.String("token_hash").NotEmpty().Unique().Immutable().Sensitive(),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Int("failures").Default(0),
		field.Time("used_at").Optional().Nillable(),
	}
}
