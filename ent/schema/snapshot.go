package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Snapshot records one collection a device sent: when, which sections it
// held (with their content hashes) and which of them changed. The section
// contents live in DeviceSection, stored again only when their hash changes.
type Snapshot struct{ ent.Schema }

// Mixin of the Snapshot.
func (Snapshot) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the Snapshot.
func (Snapshot) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		// Follows the device when it moves.
		field.UUID("organisation_id", uuid.UUID{}),
		// Chosen by the agent; a retry reuses it.
		field.UUID("snapshot_id", uuid.UUID{}).Immutable(),
		field.Time("collected_at").Immutable(),
		field.Time("received_at").Immutable(),
		field.String("agent_version").Default("").MaxLen(64).Immutable(),
		field.JSON("section_hashes", map[string]string{}).Immutable(),
		field.Strings("changed_sections").Immutable(),
		field.Int("size_bytes").Immutable(),
	}
}

// Indexes of the Snapshot.
func (Snapshot) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "snapshot_id").Unique(),
		index.Fields("tenant_id", "device_id", "received_at"),
	}
}
