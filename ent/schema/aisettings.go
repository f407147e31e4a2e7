package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// AISettings is a tenant's own language model endpoint and its monthly
// token budget: one row per tenant. The API key is sealed with the
// operator's secret key (secrets.Box) and never returned.
type AISettings struct{ ent.Schema }

// Mixin of the AISettings.
func (AISettings) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the AISettings.
func (AISettings) Fields() []ent.Field {
	return []ent.Field{
		field.Bool("enabled").Default(false),
		field.String("base_url").Default("").MaxLen(500),
		field.String("model").Default("").MaxLen(200),
		// The API key sealed by secrets.Box (bound to the tenant id); nil
		// without a key.
		field.Bytes("api_key_encrypted").Optional().Nillable().Sensitive(),
		field.String("azure_api_version").Default("").MaxLen(50),
		// Tokens per calendar month (UTC); 0 takes the operator's default.
		field.Int64("monthly_token_budget").Default(0),
		field.Time("updated_at").Default(func() time.Time { return time.Now().UTC() }),
	}
}

// Indexes of the AISettings.
func (AISettings) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id").Unique()}
}

// AICall records one language model call: who it was for, what it cost and
// how it ended, never its prompt, answer or key.
type AICall struct{ ent.Schema }

// Mixin of the AICall.
func (AICall) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the AICall.
func (AICall) Fields() []ent.Field {
	return []ent.Field{
		// The user it was made for; nil for background work (narratives).
		field.UUID("user_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("purpose").MaxLen(32).Immutable(),
		field.String("model").Default("").MaxLen(200).Immutable(),
		field.Int64("prompt_tokens").Default(0).Immutable(),
		field.Int64("completion_tokens").Default(0).Immutable(),
		field.Int64("latency_ms").Default(0).Immutable(),
		field.String("outcome").MaxLen(16).Immutable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the AICall: the month's usage is one range SUM over it.
func (AICall) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "created_at")}
}

// Narrative is the latest explanation of an entity's health in words, with
// prioritised next steps, written by a model or by Wegweiser itself
// ("builtin"). It is kept until the entity's findings (or the policy
// guidance) change: findings_hash says what it was written from.
type Narrative struct{ ent.Schema }

// Mixin of the Narrative.
func (Narrative) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the Narrative.
func (Narrative) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("entity_kind").Values("device", "group", "organisation", "tenant").Immutable(),
		field.UUID("entity_id", uuid.UUID{}).Immutable(),
		// The entity's organisation (itself for organisations); nil for the
		// tenant. A device's narrative follows the device when it moves.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("findings_hash").MaxLen(64),
		field.String("text").MaxLen(8000),
		field.JSON("next_steps", json.RawMessage{}),
		field.String("model").MaxLen(200),
		field.Time("generated_at"),
	}
}

// Indexes of the Narrative.
func (Narrative) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "entity_kind", "entity_id").Unique()}
}
