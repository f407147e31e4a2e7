package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// TenantBranding is how a tenant (the MSP) presents the dashboard and the
// customer portal: a display name, a logo and an accent colour. One row per
// tenant at most; no row means the defaults (the tenant's name, no logo,
// the default colour). backend/internal/branding validates what is stored.
type TenantBranding struct{ ent.Schema }

// Mixin of the TenantBranding.
func (TenantBranding) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the TenantBranding.
func (TenantBranding) Fields() []ent.Field {
	return []ent.Field{
		// Empty: the tenant's name.
		field.String("display_name").Default("").MaxLen(200),
		// A PNG, JPEG or WebP image of at most 256 KiB; nil: none.
		field.Bytes("logo").Optional().Nillable().MaxLen(256 << 10),
		// "image/png", "image/jpeg" or "image/webp"; empty without a logo.
		field.String("logo_media_type").Default("").MaxLen(32),
		// "#rrggbb"; empty: the default.
		field.String("accent_color").Default("").MaxLen(7),
		field.Time("updated_at").Default(func() time.Time { return time.Now().UTC() }),
	}
}

// Indexes of the TenantBranding.
func (TenantBranding) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id").Unique()}
}
