package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// EventLogGroup is one group of warnings or errors (same log, source, event
// id and level) from a device's latest event-log section.
type EventLogGroup struct{ ent.Schema }

// Mixin of the EventLogGroup.
func (EventLogGroup) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the EventLogGroup.
func (EventLogGroup) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		field.String("log").Default("").MaxLen(200),
		field.String("source").Default("").MaxLen(500),
		field.Int64("event_id").Default(0),
		field.String("level").MaxLen(16),
		field.Int64("count").Default(0),
		field.Time("first_seen").Default(func() time.Time { return time.Time{} }),
		field.Time("last_seen").Default(func() time.Time { return time.Time{} }),
		// Untrusted text from the endpoint, at most 1000 characters.
		field.String("sample_message").Default("").MaxLen(4000),
	}
}

// Indexes of the EventLogGroup.
func (EventLogGroup) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "last_seen"),
	}
}
