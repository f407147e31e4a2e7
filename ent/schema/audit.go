package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// AuditEvent records one action that matters for accountability: sign-ins
// and failed sign-ins, factor, role and policy changes, invitations, API
// keys, single sign-on configuration, moves and deletions: who, when, from
// where. Rows are never updated; the prune job removes them
// past the tenant's audit retention.
type AuditEvent struct{ ent.Schema }

// Mixin of the AuditEvent.
func (AuditEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		// Action names what happened, e.g. "device.move", "device.delete".
		field.String("action").NotEmpty().MaxLen(64).Immutable(),
		// TargetKind and TargetID name the record acted on.
		field.String("target_kind").NotEmpty().MaxLen(32).Immutable(),
		field.UUID("target_id", uuid.UUID{}).Immutable(),
		// TargetName is the record's name at the time (it may be gone since).
		field.String("target_name").Default("").MaxLen(255).Immutable(),
		// The organisation the target belonged to; nil for tenant-wide records.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.UUID("actor_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.String("actor").Default("").MaxLen(254).Immutable(),
		field.String("detail").Default("").MaxLen(4000).Immutable(),
		// Where the request came from: client address and User-Agent.
		field.String("source_address").Default("").MaxLen(64).Immutable(),
		field.String("user_agent").Default("").MaxLen(300).Immutable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
		index.Fields("tenant_id", "action", "created_at"),
	}
}
