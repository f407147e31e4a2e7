package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Device is one endpoint running the agent.
type Device struct{ ent.Schema }

// Mixin of the Device.
func (Device) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Device.
func (Device) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("organisation_id", uuid.UUID{}),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable(),
		field.String("hostname").NotEmpty().MaxLen(255),
		field.Enum("platform").Values("unknown", "windows", "macos", "linux").Default("unknown"),
		field.Enum("role").Values("unknown", "workstation", "server").Default("unknown"),
		field.String("os_name").Default("").MaxLen(255),
		field.String("os_version").Default("").MaxLen(255),
		field.String("manufacturer").Default("").MaxLen(255),
		field.String("model").Default("").MaxLen(255),
		field.String("serial_number").Default("").MaxLen(255),
		field.Strings("ip_addresses").Default([]string{}),
		field.String("agent_version").Default("").MaxLen(64),
		field.Strings("tags").Default([]string{}),
		field.Time("last_seen_at").Optional().Nillable(),
		// SHA-256 of the device token; cleared when the token is revoked.
		field.String("token_hash").Optional().Nillable().Unique().Sensitive(),
		field.UUID("enrolment_key_id", uuid.UUID{}).Optional().Nillable(),
		field.Time("last_snapshot_at").Optional().Nillable(),
		field.Int("spooled_snapshots").Default(0),
		field.Int64("dropped_snapshots").Default(0),
		// Snapshots stored for the device, counted by ingest in the
		// snapshot's transaction so reads need not count them.
		field.Int64("snapshot_count").Default(0),
		// When the device was retired (backend/internal/device): its token
		// is revoked and it counts nowhere any more, but its history stays.
		field.Time("retired_at").Optional().Nillable(),
	}
}

// Edges of the Device.
func (Device) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organisation", Organisation.Type).Ref("devices").Field("organisation_id").Unique().Required(),
		edge.From("group", Group.Type).Ref("devices").Field("group_id").Unique(),
	}
}

// Indexes of the Device: every index leads with tenant_id.
func (Device) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "organisation_id", "group_id"),
		index.Fields("tenant_id", "hostname", "id"),
		index.Fields("tenant_id", "last_seen_at", "id"),
	}
}
