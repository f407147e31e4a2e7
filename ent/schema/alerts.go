package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Notification is one alert in the tenant's message centre.
type Notification struct{ ent.Schema }

// Mixin of the Notification.
func (Notification) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the Notification.
func (Notification) Fields() []ent.Field {
	return []ent.Field{
		field.String("kind").MaxLen(32).Immutable(),
		field.String("severity").MaxLen(16).Immutable(),
		field.String("title").MaxLen(300).Immutable(),
		field.String("body").Default("").MaxLen(4000).Immutable(),
		field.String("entity_kind").MaxLen(16).Immutable(),
		field.UUID("entity_id", uuid.UUID{}).Immutable(),
		// The entity's organisation; nil for tenant-wide notifications. For a
		// device it follows the device when it moves.
		field.UUID("organisation_id", uuid.UUID{}).Optional().Nillable(),
		// Deduplication key: one notification per condition and day.
		field.String("dedupe_key").MaxLen(300).Immutable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the Notification.
func (Notification) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "created_at"),
		index.Fields("tenant_id", "dedupe_key").Unique(),
	}
}

// NotificationReceipt marks a notification read by one user.
type NotificationReceipt struct{ ent.Schema }

// Mixin of the NotificationReceipt.
func (NotificationReceipt) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the NotificationReceipt.
func (NotificationReceipt) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("notification_id", uuid.UUID{}).Immutable(),
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.Time("read_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the NotificationReceipt.
func (NotificationReceipt) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "user_id", "notification_id").Unique(),
	}
}

// NotificationReadMark is one user's "read up to" watermark in one tenant:
// every notification at or before (read_up_to_at, read_up_to_id) in the
// order (created_at, id) is read for that user. "Mark all read" moves it in
// one statement; NotificationReceipt rows then only record notifications
// newer than the watermark, so read state costs the same however many
// notifications a user has read.
type NotificationReadMark struct{ ent.Schema }

// Mixin of the NotificationReadMark.
func (NotificationReadMark) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the NotificationReadMark.
func (NotificationReadMark) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		// created_at and id of the newest notification marked read.
		field.Time("read_up_to_at"),
		field.UUID("read_up_to_id", uuid.UUID{}),
	}
}

// Indexes of the NotificationReadMark.
func (NotificationReadMark) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "user_id").Unique(),
	}
}

// Webhook is an endpoint notifications are POSTed to. Its signing secret is
// stored encrypted (AES-GCM under the operator's key).
type Webhook struct{ ent.Schema }

// Mixin of the Webhook.
func (Webhook) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the Webhook.
func (Webhook) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty().MaxLen(2000),
		field.String("description").Default("").MaxLen(200),
		field.Strings("kinds").Default([]string{}),
		field.Bytes("secret_encrypted").Sensitive(),
	}
}

// WebhookDelivery is the delivery of one notification to one webhook.
type WebhookDelivery struct{ ent.Schema }

// Mixin of the WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}, TimeMixin{}}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("webhook_id", uuid.UUID{}).Immutable(),
		field.UUID("notification_id", uuid.UUID{}).Immutable(),
		field.Enum("status").Values("pending", "delivered", "failed").Default("pending"),
		field.Int("attempts").Default(0),
		field.Int("response_status").Default(0),
		field.String("error").Default("").MaxLen(1000),
		field.Time("delivered_at").Optional().Nillable(),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "webhook_id", "created_at"),
		index.Fields("tenant_id", "webhook_id", "notification_id").Unique(),
	}
}
