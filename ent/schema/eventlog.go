package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// EventLogGroup is one group of warnings or errors (same log, source, event
// id, level and source address) a device reported. Agents send only what
// was logged since their last collection, so the groups of every snapshot
// are kept, not replaced: together they are the device's event window (the
// last 7 days, devicedata.EventWindow), which the analyzer judges. A group
// reported twice (a retried or overlapping collection) is stored once: the
// unique index below is the deduplication key.
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
		// Remote address of failed logons; "" when not known.
		field.String("source_address").Default("").MaxLen(64),
		field.Int64("count").Default(0),
		field.Time("first_seen").Default(func() time.Time { return time.Time{} }),
		// When the group's last entry was logged (the snapshot's collection
		// time when the agent did not say); the window is pruned by it.
		field.Time("last_seen").Default(func() time.Time { return time.Time{} }),
		// Untrusted text from the endpoint, at most 1000 characters.
		field.String("sample_message").Default("").MaxLen(4000),
	}
}

// Indexes of the EventLogGroup.
func (EventLogGroup) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "last_seen"),
		// Retention prunes a tenant's window by last_seen.
		index.Fields("tenant_id", "last_seen"),
		// The deduplication key: one device's group of one log, source, id,
		// level and address over one time span.
		index.Fields("tenant_id", "device_id", "log", "source", "event_id", "level", "source_address", "first_seen", "last_seen").
			Unique().StorageKey("eventloggroup_dedupe"),
	}
}

// CrashReport is one application or system crash a device reported, kept
// across snapshots for the event window like EventLogGroup. A crash
// reported twice (same application at the same time) is stored once.
type CrashReport struct{ ent.Schema }

// Mixin of the CrashReport.
func (CrashReport) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the CrashReport.
func (CrashReport) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		// Application, or "kernel" for a system crash. Untrusted text.
		field.String("application").Default("").MaxLen(500),
		// When it crashed (the snapshot's collection time when not reported).
		field.Time("crashed_at"),
		// Faulting module or reason. Untrusted text.
		field.String("detail").Default("").MaxLen(2000),
	}
}

// Indexes of the CrashReport.
func (CrashReport) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "application", "crashed_at").Unique(),
		index.Fields("tenant_id", "crashed_at"),
	}
}
