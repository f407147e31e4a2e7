package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// OnboardingState is a tenant's getting-started checklist: when each step
// was first seen done and whether an owner or admin dismissed it. One row
// per tenant, made the first time a step is seen done or the checklist is
// dismissed.
type OnboardingState struct{ ent.Schema }

// Mixin of the OnboardingState.
func (OnboardingState) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the OnboardingState.
func (OnboardingState) Fields() []ent.Field {
	return []ent.Field{
		// Step name (onboarding.Step) to the time it was first seen done;
		// a step stays done once recorded.
		field.JSON("steps_done", map[string]time.Time{}).Default(map[string]time.Time{}),
		field.Bool("dismissed").Default(false),
		field.Time("updated_at").Default(func() time.Time { return time.Now().UTC() }),
	}
}

// Indexes of the OnboardingState.
func (OnboardingState) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id").Unique()}
}

// SeenTour records that a user finished or skipped one guided tour of the
// SPA, so it does not play again by itself (at most onboarding.MaxSeenTours
// per user and tenant).
type SeenTour struct{ ent.Schema }

// Mixin of the SeenTour.
func (SeenTour) Mixin() []ent.Mixin {
	return []ent.Mixin{IDMixin{}, TenantMixin{}}
}

// Fields of the SeenTour.
func (SeenTour) Fields() []ent.Field {
	return []ent.Field{
		field.UUID("user_id", uuid.UUID{}).Immutable(),
		field.String("tour_id").NotEmpty().MaxLen(64).Immutable(),
		field.Time("created_at").Default(func() time.Time { return time.Now().UTC() }).Immutable(),
	}
}

// Indexes of the SeenTour.
func (SeenTour) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "user_id", "tour_id").Unique()}
}
