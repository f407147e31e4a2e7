package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Preregistration is a device announced before its agent enrols (by a CSV
// import): when an agent enrols with the same serial number or host name in
// the tenant, the device takes the pre-registration's organisation, group
// and tags and the pre-registration is consumed (see enrolment.Enroll).
type Preregistration struct{ ent.Schema }

// Mixin of the Preregistration.
func (Preregistration) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Preregistration: at least one of hostname and
// serial_number is set.
func (Preregistration) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("organisation_id", uuid.UUID{}),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable(),
		field.String("hostname").Default("").MaxLen(255),
		field.String("serial_number").Default("").MaxLen(255),
		field.Strings("tags").Default([]string{}),
		field.UUID("created_by", uuid.UUID{}).Optional().Nillable().Immutable(),
	}
}

// Indexes of the Preregistration: enrolment looks it up by serial number
// or host name in the tenant.
func (Preregistration) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "serial_number"),
		index.Fields("tenant_id", "hostname"),
		index.Fields("tenant_id", "organisation_id"),
	}
}
