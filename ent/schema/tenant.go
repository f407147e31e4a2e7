package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// Tenant is one MSP: the boundary no row crosses.
type Tenant struct{ ent.Schema }

// Mixin of the Tenant.
func (Tenant) Mixin() []ent.Mixin { return []ent.Mixin{IDMixin{}, TimeMixin{}} }

// Fields of the Tenant.
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200),
	}
}
