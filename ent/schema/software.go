package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// InstalledSoftware is one program on one device, normalised from the
// latest software section for searching across a fleet.
type InstalledSoftware struct{ ent.Schema }

// Mixin of the InstalledSoftware.
func (InstalledSoftware) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the InstalledSoftware.
func (InstalledSoftware) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("device_id", uuid.UUID{}).Immutable(),
		field.UUID("organisation_id", uuid.UUID{}),
		field.String("name").MaxLen(500),
		field.String("version").Default("").MaxLen(200),
		field.String("publisher").Default("").MaxLen(500),
		field.String("install_date").Default("").MaxLen(32),
		field.String("source").Default("").MaxLen(32),
	}
}

// Indexes of the InstalledSoftware.
func (InstalledSoftware) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "device_id", "name"),
		index.Fields("tenant_id", "organisation_id", "name", "version"),
		// The devices that run one version, across the tenant.
		index.Fields("tenant_id", "name", "version", "device_id"),
	}
}
