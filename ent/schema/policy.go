package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/rule"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Policy of the Device.
func (Device) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the Group.
func (Group) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the Membership.
func (Membership) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant()},
	}
}

// Policy of the Organisation.
func (Organisation) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOwnOrganisations(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("id"), rule.FilterTenant(), rule.FilterOwnOrganisations(),
		},
	}
}

// Policy of the RefreshToken.
func (RefreshToken) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant()},
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

// Policy of the EnrolmentKey: tenant and organisation scope.
func (EnrolmentKey) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the Snapshot: tenant and organisation scope.
func (Snapshot) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the DeviceSection: tenant and organisation scope.
func (DeviceSection) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the InstalledSoftware: tenant and organisation scope.
func (InstalledSoftware) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the EventLogGroup: tenant and organisation scope.
func (EventLogGroup) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the DeviceHealth: tenant and organisation scope.
func (DeviceHealth) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate("organisation_id"), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the EntityHealth: tenant scope; scoped viewers see only rows of their
// organisations (tenant-wide rows have no organisation and are hidden from
// them).
func (EntityHealth) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the HealthHistory: tenant scope; scoped viewers see only rows of their
// organisations (tenant-wide rows have no organisation and are hidden from
// them).
func (HealthHistory) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the PolicyOverride: tenant scope; scoped viewers see only rows of their
// organisations.
func (PolicyOverride) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the PolicyGuidance: tenant scope; scoped viewers see only rows of their
// organisations.
func (PolicyGuidance) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the PolicyAudit: tenant scope; scoped viewers see only rows of their
// organisations.
func (PolicyAudit) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the Notification: tenant scope; scoped viewers see only rows of their
// organisations.
func (Notification) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant(), rule.FilterOrganisationScope(),
		},
	}
}

// Policy of the NotificationReceipt: tenant scope.
func (NotificationReceipt) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant()},
	}
}

// Policy of the Webhook: tenant scope.
func (Webhook) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant()},
	}
}

// Policy of the WebhookDelivery: tenant scope.
func (WebhookDelivery) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{rule.DenyIfNoViewer(), rule.CheckCreate(""), rule.FilterTenant()},
	}
}

// Policy of the AuditEvent: tenant scope. Rows are created, never changed
// (deletion only by the retention job, which acts for the tenant).
func (AuditEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{rule.DenyIfNoViewer(), rule.FilterTenant()},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			privacy.OnMutationOperation(privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
				return privacy.Denyf("audit events are append-only")
			}), ent.OpUpdate|ent.OpUpdateOne),
			rule.CheckCreate(""), rule.FilterTenant(),
		},
	}
}
