package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/rule"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// The tenant rules (no viewer means deny, filter by the viewer's tenant,
// created rows in the viewer's tenant) come from TenantMixin for every
// tenant-owned schema; the policies here add only what is particular to a
// schema. Membership, RefreshToken, NotificationReceipt, NotificationReadMark,
// Webhook and WebhookDelivery need nothing beyond the tenant rules.

// organisationScope limits scoped viewers to rows of their organisations, by
// the row's organisation_id (rows created by them must name one of theirs;
// for orgField "" created rows are not checked, as they carry no
// organisation or take it from their parent).
func organisationScope(orgField string) ent.Policy {
	mutation := privacy.MutationPolicy{rule.FilterOrganisationScope()}
	if orgField != "" {
		mutation = privacy.MutationPolicy{rule.CheckCreateScope(orgField), rule.FilterOrganisationScope()}
	}
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.FilterOrganisationScope()},
		Mutation: mutation,
	}
}

// Policy of the Device: organisation scope.
func (Device) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the Group: organisation scope.
func (Group) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the Organisation: scoped viewers see only their organisations
// and create none.
func (Organisation) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.FilterOwnOrganisations()},
		Mutation: privacy.MutationPolicy{rule.CheckCreateScope("id"), rule.FilterOwnOrganisations()},
	}
}

// Policy of the Tenant: a viewer sees and changes only its own tenant;
// creating tenants is done by sign-up with an explicit allow decision.
func (Tenant) Policy() ent.Policy {
	type idFilter interface{ WhereID(entql.ValueP) }
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
				f.(idFilter).WhereID(entql.ValueEQ(viewer.FromContext(ctx).TenantID))
				return privacy.Skip
			}),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			privacy.OnMutationOperation(privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
				return privacy.Denyf("tenants are created by sign-up only")
			}), ent.OpCreate),
			privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
				f.(idFilter).WhereID(entql.ValueEQ(viewer.FromContext(ctx).TenantID))
				return privacy.Skip
			}),
		},
	}
}

// Policy of the User: only members of the viewer's tenant are visible and
// changeable. Sign-up, login and invitations use an explicit allow decision.
func (User) Policy() ent.Policy {
	filter := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		f.Where(entql.HasEdgeWith("memberships", entql.FieldEQ("tenant_id", v.TenantID)))
		return privacy.Skip
	})
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), filter},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpCreate), filter},
	}
}

// Policy of the EnrolmentKey: organisation scope.
func (EnrolmentKey) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the Snapshot: organisation scope.
func (Snapshot) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the DeviceSection: organisation scope.
func (DeviceSection) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the InstalledSoftware: organisation scope.
func (InstalledSoftware) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the EventLogGroup: organisation scope.
func (EventLogGroup) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the CrashReport: organisation scope.
func (CrashReport) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the DeviceHealth: organisation scope.
func (DeviceHealth) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the DeviceFinding: scoped like its device.
func (DeviceFinding) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the EntityHealth: scoped viewers see only rows of their
// organisations (tenant-wide rows have no organisation and are hidden from
// them).
func (EntityHealth) Policy() ent.Policy { return organisationScope("") }

// Policy of the HealthHistory: scoped viewers see only rows of their
// organisations (tenant-wide rows have no organisation and are hidden from
// them).
func (HealthHistory) Policy() ent.Policy { return organisationScope("") }

// Policy of the PolicyOverride: scoped viewers see only rows of their
// organisations.
func (PolicyOverride) Policy() ent.Policy { return organisationScope("") }

// Policy of the PolicyGuidance: scoped viewers see only rows of their
// organisations.
func (PolicyGuidance) Policy() ent.Policy { return organisationScope("") }

// Policy of the PolicyAudit: scoped viewers see only rows of their
// organisations.
func (PolicyAudit) Policy() ent.Policy { return organisationScope("") }

// Policy of the Notification: scoped viewers see only rows of their
// organisations.
func (Notification) Policy() ent.Policy { return organisationScope("") }

// Policy of the AuditEvent: rows are created, never changed (deletion only
// by the retention job, which acts for the tenant).
func (AuditEvent) Policy() ent.Policy {
	return privacy.Policy{
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
				return privacy.Denyf("audit events are append-only")
			}), ent.OpUpdate|ent.OpUpdateOne),
		},
	}
}

// Policy of the Conversation: scoped viewers see only conversations about
// their organisations (tenant conversations carry none and are hidden from
// them). Conversations are private to their user, which the chat service
// enforces on every read.
func (Conversation) Policy() ent.Policy { return organisationScope("") }

// Policy of the Memory: scoped viewers see only memories of their
// organisations.
func (Memory) Policy() ent.Policy { return organisationScope("") }

// Policy of the Narrative: scoped viewers see only narratives of their
// organisations (the tenant's has no organisation and is hidden from them).
func (Narrative) Policy() ent.Policy { return organisationScope("") }

// Policy of the Preregistration: organisation scope.
func (Preregistration) Policy() ent.Policy { return organisationScope("organisation_id") }

// Policy of the ReportSchedule: organisation scope.
func (ReportSchedule) Policy() ent.Policy { return organisationScope("organisation_id") }
