// Package pbconv converts the entities several API services share (tenants,
// members, roles) between ent and protobuf.
package pbconv

import (
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/branding"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

var roleToProto = map[viewer.Role]v1.Role{
	viewer.RoleOwner:      v1.Role_ROLE_OWNER,
	viewer.RoleAdmin:      v1.Role_ROLE_ADMIN,
	viewer.RoleTechnician: v1.Role_ROLE_TECHNICIAN,
	viewer.RoleViewer:     v1.Role_ROLE_VIEWER,
	viewer.RoleCustomer:   v1.Role_ROLE_CUSTOMER,
}

// Role converts a role to protobuf.
func Role(r viewer.Role) v1.Role { return roleToProto[r] }

// RoleFromProto converts a protobuf role; unknown values give "" (invalid).
func RoleFromProto(r v1.Role) viewer.Role {
	for k, v := range roleToProto {
		if v == r {
			return k
		}
	}
	return ""
}

// Time converts a time; the zero time gives nil.
func Time(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// TimePtr converts an optional time.
func TimePtr(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return timestamppb.New(*t)
}

// Tenant converts a tenant.
func Tenant(t *ent.Tenant) *v1.Tenant {
	out := &v1.Tenant{Id: t.ID.String(), Name: t.Name, CreateTime: Time(t.CreatedAt)}
	if t.Edges.Branding != nil { // loaded (tenancy.Service.Tenant)
		var b *ent.TenantBranding
		if len(t.Edges.Branding) > 0 {
			b = t.Edges.Branding[0]
		}
		out.Branding = Branding(branding.Of(b))
	}
	return out
}

// Branding converts a tenant's branding.
func Branding(b branding.Branding) *v1.TenantBranding {
	return &v1.TenantBranding{
		DisplayName: b.DisplayName, Logo: b.Logo, LogoMediaType: b.LogoMediaType, AccentColor: b.AccentColor,
	}
}

// User converts a user with its membership in the tenant.
func User(u *ent.User, m *ent.Membership) *v1.User {
	return &v1.User{
		Id:                u.ID.String(),
		Email:             u.Email,
		DisplayName:       u.DisplayName,
		Role:              Role(viewer.Role(m.Role)),
		OrganisationIds:   IDs(m.OrganisationIds),
		Disabled:          m.DisabledAt != nil,
		InvitationPending: m.AcceptedAt == nil,
		CreateTime:        Time(m.CreatedAt),
	}
}

// IDs converts ids to strings.
func IDs(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
