package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// scopeKinds are the levels a conversation or a memory is about.
var scopeKinds = []string{"device", "group", "organisation", "tenant"}

// Conversation is a thread of questions one user asks the assistant about
// one entity. It is private to that user (backend/internal/ai/chat reads
// only the viewer's own). It carries the entity's organisation so it
// follows a device that moves and goes with a deleted entity.
type Conversation struct{ ent.Schema }

// Mixin of the Conversation.
func (Conversation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Conversation.
func (Conversation) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.Enum("scope_kind").Values(scopeKinds...).Immutable(),
		// The entity's id; the tenant's id for tenant conversations.
		field.UUID("scope_id", uuid.UUID{}).Immutable(),
		// The entity's organisation (itself for organisations); nil for the
		// tenant.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("title").Default("").MaxLen(800), // 200 characters of up to 4 bytes
		field.Int("message_count").Default(0),
		// Summary of the messages up to and including summarised_up_to,
		// used in their place when the conversation outgrew its budget.
		field.Text("summary").Default(""),
		field.UUID("summarised_up_to", uuid.UUID{}).Optional().Nillable(),
	}
}

// Indexes of the Conversation.
func (Conversation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "user_id", "updated_at"),
		index.Fields("tenant_id", "scope_kind", "scope_id"),
		index.Fields("tenant_id", "organisation_id"),
	}
}

// ChatMessage is a question or an answer of a conversation.
type ChatMessage struct{ ent.Schema }

// Mixin of the ChatMessage.
func (ChatMessage) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the ChatMessage.
func (ChatMessage) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("conversation_id", uuid.UUID{}).Immutable(),
		field.Enum("role").Values("user", "assistant").Immutable(),
		field.Text("text").Immutable(),
		// Citations and tool activity of an answer (JSON, see
		// backend/internal/ai/chat).
		field.JSON("citations", json.RawMessage{}).Optional(),
		field.JSON("tools", json.RawMessage{}).Optional(),
		field.Int64("prompt_tokens").Default(0).Immutable(),
		field.Int64("completion_tokens").Default(0).Immutable(),
		field.String("model").Default("").MaxLen(200).Immutable(),
		field.Bool("builtin").Default(false).Immutable(),
		field.Int64("latency_ms").Default(0).Immutable(),
		field.Enum("feedback").Values("none", "helpful", "wrong").Default("none"),
		field.String("feedback_comment").Default("").MaxLen(8000), // 2,000 characters
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the ChatMessage.
func (ChatMessage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "conversation_id", "created_at"),
	}
}

// Memory is a fact a technician taught the assistant about an entity, with
// its provenance: who, when, and in which conversation. It carries the
// entity's organisation like a conversation.
type Memory struct{ ent.Schema }

// Mixin of the Memory.
func (Memory) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the Memory.
func (Memory) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("scope_kind").Values(scopeKinds...).Immutable(),
		field.UUID("scope_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.String("text").NotEmpty().MaxLen(4000).Immutable(), // 1,000 characters
		field.UUID("created_by", uuid.UUID{}).Immutable(),
		field.UUID("conversation_id", uuid.UUID{}).Optional().Nillable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the Memory.
func (Memory) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "scope_kind", "scope_id", "created_at"),
		index.Fields("tenant_id", "organisation_id"),
	}
}
