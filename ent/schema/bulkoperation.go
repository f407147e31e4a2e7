package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// BulkOperation is one move, tagging, retirement or re-analysis of many
// devices, resolved and checked when it was started and then worked through
// in the background (backend/internal/device). It keeps the resolved
// device ids, so a run that is retried resumes where it stopped.
type BulkOperation struct{ ent.Schema }

// Mixin of the BulkOperation.
func (BulkOperation) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the BulkOperation.
func (BulkOperation) Fields() []ent.Field {
	return []ent.Field{
		// The member who started it; the work runs as that member.
		field.UUID("created_by", uuid.UUID{}).Immutable(),
		field.Enum("action").Values("move", "tag", "retire", "reanalyse").Immutable(),
		field.Enum("state").Values("queued", "running", "succeeded", "failed").Default("queued"),
		// The devices, in the order they are worked through.
		field.JSON("device_ids", []uuid.UUID{}).Immutable(),
		// Move: the destination (the group's organisation when only the
		// group was named).
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		field.UUID("group_id", uuid.UUID{}).Optional().Nillable().Immutable(),
		// Tag: the tags to add and to remove.
		field.Strings("add_tags").Default([]string{}).Immutable(),
		field.Strings("remove_tags").Default([]string{}).Immutable(),
		field.Int("total").Default(0),
		// Processed devices are device_ids[:processed]; failed counts those
		// of them that failed, errors keeps the first failures.
		field.Int("processed").Default(0),
		field.Int("failed").Default(0),
		field.Strings("errors").Default([]string{}),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Indexes of the BulkOperation.
func (BulkOperation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
	}
}
