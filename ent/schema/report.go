package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// ReportSchedule mails an organisation's health report every month, on a
// day of the month at 06:00 UTC, to a list of recipients.
type ReportSchedule struct{ ent.Schema }

// Mixin of the ReportSchedule.
func (ReportSchedule) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the ReportSchedule.
func (ReportSchedule) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("organisation_id", uuid.UUID{}).Immutable(),
		// Email addresses, 1 to 20.
		field.Strings("recipients"),
		// Day of the month it is sent, 1 to 28.
		field.Int("day_of_month").Range(1, 28),
		// "html" or "pdf".
		field.Enum("format").Values("html", "pdf"),
		// The user who created it (kept when they leave: the schedule
		// belongs to the tenant).
		field.UUID("created_by", uuid.UUID{}).Optional().Nillable().Immutable(),
		// When it is next due.
		field.Time("next_send_at"),
		// When it last went out, and the month it went out for ("2026-11"):
		// a month is sent at most once.
		field.Time("last_sent_at").Optional().Nillable(),
		field.String("last_period").Default("").MaxLen(7),
		// Error of the last attempt; empty when it went out.
		field.String("last_error").Default("").MaxLen(1000),
	}
}

// Indexes of the ReportSchedule.
func (ReportSchedule) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "organisation_id"),
		index.Fields("next_send_at"),
	}
}
