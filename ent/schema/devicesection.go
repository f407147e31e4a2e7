package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// DeviceSection is the latest content of one snapshot section of a device
// (os, hardware, software, …), as protobuf bytes with its SHA-256. Ingest
// rewrites it only when the hash changes.
type DeviceSection struct{ ent.Schema }

// Mixin of the DeviceSection.
func (DeviceSection) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the DeviceSection.
func (DeviceSection) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		field.String("name").NotEmpty().MaxLen(64).Immutable(),
		field.String("hash").NotEmpty(),
		field.Bytes("data"),
		field.UUID("snapshot_id", uuid.UUID{}),
		field.Time("updated_at"),
	}
}

// Indexes of the DeviceSection.
func (DeviceSection) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "name").Unique(),
	}
}
