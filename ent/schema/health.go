package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// DeviceHealth is a device's current analysis: score, band, domain scores
// and the findings that produced them (JSON, see backend/internal/analyzer).
type DeviceHealth struct{ ent.Schema }

// Mixin of the DeviceHealth.
func (DeviceHealth) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the DeviceHealth.
func (DeviceHealth) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable(),
		field.Int("score"),
		field.String("band").MaxLen(16),
		field.Bool("scored"),
		field.Bool("server").Default(false),
		field.Bool("stale").Default(false),
		field.Float("coverage"),
		field.String("cap_reason").Default("").MaxLen(500),
		// The device is poor or critical, or has an unsuppressed high or
		// critical finding (analyzer.Result.NeedsAttention).
		field.Bool("needs_attention").Default(false),
		// The top reason: the unsuppressed warning or failure that costs
		// the most points (empty when none does), for device lists.
		field.String("top_check_id").Default("").MaxLen(100),
		field.String("top_title").Default("").MaxLen(500),
		field.String("top_severity").Default("").MaxLen(16),
		// Unsuppressed warnings and failures on the device.
		field.Int("issue_count").Default(0),
		field.JSON("domains", json.RawMessage{}),
		field.JSON("findings", json.RawMessage{}),
		field.UUID("snapshot_id", uuid.UUID{}).Optional().Nillable(),
		field.Time("snapshot_received_at").Optional().Nillable(),
		field.Time("computed_at"),
	}
}

// Indexes of the DeviceHealth.
func (DeviceHealth) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id").Unique(),
		index.Fields("tenant_id", "organisation_id", "score"),
		index.Fields("tenant_id", "score"),
	}
}

// DeviceFinding is one unsuppressed warning or failure of a device's
// current analysis, kept as a row (the full result is JSON in
// DeviceHealth) so lists can filter devices by a failing check and count
// devices per check in SQL. Rewritten with each analysis; it follows its
// device like the device's health.
type DeviceFinding struct{ ent.Schema }

// Mixin of the DeviceFinding.
func (DeviceFinding) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the DeviceFinding.
func (DeviceFinding) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable(),
		field.String("check_id").MaxLen(100).Immutable(),
		field.String("subject").Default("").MaxLen(500).Immutable(),
		field.String("domain").MaxLen(32).Immutable(),
		// warn or fail.
		field.String("status").MaxLen(8).Immutable(),
		field.String("severity").MaxLen(16).Immutable(),
		field.Int("penalty").Immutable(),
		field.String("title").Default("").MaxLen(500).Immutable(),
	}
}

// Indexes of the DeviceFinding.
func (DeviceFinding) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id"),
		index.Fields("tenant_id", "check_id", "device_id"),
		index.Fields("tenant_id", "organisation_id", "check_id"),
	}
}

// EntityHealth is the current roll-up of a group, an organisation or the
// tenant.
type EntityHealth struct{ ent.Schema }

// Mixin of the EntityHealth.
func (EntityHealth) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the EntityHealth.
func (EntityHealth) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("group", "organisation", "tenant").Immutable(),
		field.UUID("entity_id", uuid.UUID{}).Immutable(),
		// The organisation the entity belongs to (itself for organisations);
		// nil for the tenant. Scoped viewers see only their organisations.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.Int("score"),
		field.String("band").MaxLen(16),
		field.Bool("scored"),
		field.Float("coverage"),
		field.Float("freshness"),
		field.Int("device_count"),
		field.String("cap_reason").Default("").MaxLen(500),
		// Devices that need attention (analyzer.Aggregate.NeedsAttention).
		field.Int("needs_attention").Default(0),
		field.JSON("bands", map[string]int{}),
		field.JSON("worst", json.RawMessage{}),
		field.Time("computed_at"),
	}
}

// Indexes of the EntityHealth.
func (EntityHealth) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "kind", "entity_id").Unique(),
	}
}

// HealthHistory records an entity's score each time it changes; for devices
// with the findings that produced it, so two rows explain a change.
type HealthHistory struct{ ent.Schema }

// Mixin of the HealthHistory.
func (HealthHistory) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the HealthHistory.
func (HealthHistory) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Values("device", "group", "organisation", "tenant").Immutable(),
		field.UUID("entity_id", uuid.UUID{}).Immutable(),
		// For device rows it follows the device when it moves.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		field.Int("score").Immutable(),
		field.String("band").MaxLen(16).Immutable(),
		field.Bool("scored").Immutable(),
		field.JSON("findings", json.RawMessage{}).Optional().Immutable(),
		field.Time("computed_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the HealthHistory.
func (HealthHistory) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "kind", "entity_id", "computed_at"),
	}
}
