// Package member manages the members of the viewer's tenant: invitations,
// roles and organisation scope, disabling. Admins manage everyone but owners;
// only owners grant or remove the owner role; the last active owner stays.
package member

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/organisation"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Service implements member management.
type Service struct {
	st  *store.Store
	ids *identity.Service
	now func() time.Time
}

// NewService returns a member service.
func NewService(st *store.Store, ids *identity.Service) *Service {
	return &Service{st: st, ids: ids, now: func() time.Time { return time.Now().UTC() }}
}

// Member is a user as a member of the viewer's tenant.
type Member struct {
	User       *ent.User
	Membership *ent.Membership
}

// Get returns one member of the viewer's tenant.
func (s *Service) Get(ctx context.Context, userID uuid.UUID) (*Member, error) {
	m, err := s.st.Ent.Membership.Query().Where(membership.UserID(userID)).WithUser().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	return present(m.Edges.User, m), nil
}

// present returns u as seen from m's tenant: the display name is the one
// chosen for this tenant (or the email), never one set elsewhere.
func present(u *ent.User, m *ent.Membership) *Member {
	c := *u
	c.Edges = ent.UserEdges{}
	c.DisplayName = m.DisplayName
	if c.DisplayName == "" {
		c.DisplayName = u.Email
	}
	return &Member{User: &c, Membership: m}
}

// List returns one page of members ordered by email.
func (s *Service) List(ctx context.Context, pageSize int, token string) ([]*Member, string, error) {
	cur, err := pagetoken.Decode(token, "users")
	if err != nil {
		return nil, "", err
	}
	v := viewer.FromContext(ctx)
	q := s.st.Ent.User.Query().WithMemberships(func(mq *ent.MembershipQuery) {
		mq.Where(membership.TenantID(v.TenantID))
	})
	if cur != nil {
		id, err := uuid.Parse(cur.ID)
		if err != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(user.FieldEmail, user.FieldID, cur.Key, id, false))
	}
	users, err := q.Order(ent.Asc(user.FieldEmail), ent.Asc(user.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list members: %w", err)
	}
	next := ""
	if len(users) > pageSize {
		users = users[:pageSize]
		last := users[len(users)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.Email, ID: last.ID.String(), Filter: "users"})
	}
	out := make([]*Member, 0, len(users))
	for _, u := range users {
		if len(u.Edges.Memberships) == 1 {
			out = append(out, present(u, u.Edges.Memberships[0]))
		}
	}
	return out, next, nil
}

// Invitation is a pending member. Its token is mailed to the invitee and
// never returned to the inviting admin.
type Invitation struct {
	Member *Member
}

// Invite creates a pending membership for email and mails the invitation
// link to it. Inviting an address whose invitation is still pending
// replaces that invitation (new role, scope and link).
func (s *Service) Invite(ctx context.Context, emailIn string, role viewer.Role, orgIDs []uuid.UUID) (*Invitation, error) {
	email, err := validate.Email("email", emailIn)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	if err := s.checkGrant(v, role, orgIDs); err != nil {
		return nil, err
	}
	token, hash, err := identity.NewOpaqueToken("wwi_")
	if err != nil {
		return nil, err
	}
	exp := s.now().Add(identity.InvitationTTL)
	var res *Invitation
	var tenantName string
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := checkOrganisations(ctx, tx, orgIDs); err != nil {
			return err
		}
		t, err := tx.Tenant.Query().Only(ctx)
		if err != nil {
			return fmt.Errorf("get tenant: %w", err)
		}
		tenantName = t.Name
		// The user may exist in another tenant: look it up without the
		// tenant filter, but never return anything about it.
		sys := bypass.Allow(ctx, "invitation: find or create the invited user, who may belong to another tenant")
		u, err := tx.User.Query().Where(user.Email(email)).Only(sys)
		switch {
		case ent.IsNotFound(err):
			u, err = tx.User.Create().SetEmail(email).Save(sys)
			if err != nil {
				return fmt.Errorf("create user: %w", err)
			}
		case err != nil:
			return fmt.Errorf("find user: %w", err)
		}
		prev, err := tx.Membership.Query().Where(membership.UserID(u.ID)).Only(ctx)
		switch {
		case err == nil && prev.AcceptedAt == nil:
			if prev.Role == membership.RoleOwner && v.Role != viewer.RoleOwner {
				return apperr.PermissionDenied("only owners can change owners")
			}
			m, err := tx.Membership.UpdateOneID(prev.ID).SetRole(membership.Role(role)).SetOrganisationIds(orgIDs).
				SetInvitationTokenHash(hash).SetInvitationExpiresAt(exp).SetInvitedBy(v.UserID).Save(ctx)
			if err != nil {
				return fmt.Errorf("renew invitation: %w", err)
			}
			res = &Invitation{Member: present(u, m)}
			return recordInvite(ctx, tx, u, role, orgIDs)
		case err == nil:
			return apperr.AlreadyExists("%s is already a member of this tenant", email)
		case !ent.IsNotFound(err):
			return fmt.Errorf("check membership: %w", err)
		}
		m, err := tx.Membership.Create().
			SetTenantID(v.TenantID).SetUserID(u.ID).SetRole(membership.Role(role)).
			SetOrganisationIds(orgIDs).SetInvitationTokenHash(hash).SetInvitationExpiresAt(exp).
			SetInvitedBy(v.UserID).Save(ctx)
		if err != nil {
			return fmt.Errorf("create membership: %w", err)
		}
		res = &Invitation{Member: present(u, m)}
		return recordInvite(ctx, tx, u, role, orgIDs)
	})
	if err != nil {
		return nil, err
	}
	s.ids.MailInvitation(ctx, email, tenantName, token)
	return res, nil
}

// recordInvite audits an invitation (new or renewed) of u, in tx.
func recordInvite(ctx context.Context, tx *store.Tx, u *ent.User, role viewer.Role, orgIDs []uuid.UUID) error {
	return audit.Record(ctx, tx, audit.Event{
		Action: audit.UserInvite, TargetKind: "user", TargetID: u.ID, TargetName: u.Email,
		Detail: "as " + string(role) + scopeText(orgIDs),
	})
}

// scopeText describes an organisation scope for the audit log.
func scopeText(orgIDs []uuid.UUID) string {
	if len(orgIDs) == 0 {
		return ""
	}
	ids := make([]string, len(orgIDs))
	for i, id := range orgIDs {
		ids[i] = id.String()
	}
	return ", organisations " + strings.Join(ids, " ")
}

// recordChange audits a change of member m in tx; the target is named by
// the user's email.
func recordChange(ctx context.Context, tx *store.Tx, m *ent.Membership, action, detail string) error {
	u, err := tx.User.Get(ctx, m.UserID)
	if err != nil {
		return fmt.Errorf("get member's user: %w", err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: action, TargetKind: "user", TargetID: u.ID, TargetName: u.Email, Detail: detail})
}

// checkGrant checks that v may give role with scope orgIDs.
func (s *Service) checkGrant(v *viewer.Viewer, role viewer.Role, orgIDs []uuid.UUID) error {
	if !role.Valid() {
		return apperr.Invalid("role", "must be one of owner, admin, technician, viewer, customer")
	}
	if role == viewer.RoleOwner && v.Role != viewer.RoleOwner {
		return apperr.PermissionDenied("only owners can grant the owner role")
	}
	switch {
	case role == viewer.RoleCustomer && len(orgIDs) == 0:
		return apperr.Invalid("organisation_ids", "customers must be limited to at least one organisation")
	case !role.Scoped() && len(orgIDs) > 0:
		return apperr.Invalid("organisation_ids", "only technicians and customers can be limited to organisations")
	}
	if len(orgIDs) > 1000 {
		return apperr.Invalid("organisation_ids", "at most 1000 organisations")
	}
	return nil
}

// checkOrganisations makes sure every id is an organisation of the tenant.
func checkOrganisations(ctx context.Context, tx *store.Tx, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := tx.Organisation.Query().Where(organisation.IDIn(ids...)).Count(ctx)
	if err != nil {
		return fmt.Errorf("check organisations: %w", err)
	}
	if n != len(ids) {
		return apperr.NotFound("organisation")
	}
	return nil
}

// target loads a member for a change by v: admins cannot touch owners.
func (s *Service) target(ctx context.Context, tx *store.Tx, v *viewer.Viewer, userID uuid.UUID) (*ent.Membership, error) {
	m, err := tx.Membership.Query().Where(membership.UserID(userID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	if m.Role == membership.RoleOwner && v.Role != viewer.RoleOwner {
		return nil, apperr.PermissionDenied("only owners can change owners")
	}
	return m, nil
}

// keepAnOwner fails if removing m's owner role or access would leave the
// tenant without an active owner.
func keepAnOwner(ctx context.Context, tx *store.Tx, m *ent.Membership) error {
	if m.Role != membership.RoleOwner || m.DisabledAt != nil {
		return nil
	}
	n, err := tx.Membership.Query().Where(
		membership.RoleEQ(membership.RoleOwner), membership.DisabledAtIsNil(),
		membership.AcceptedAtNotNil(), membership.IDNEQ(m.ID),
	).Count(ctx)
	if err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if n == 0 {
		return apperr.FailedPrecondition("the tenant needs at least one active owner")
	}
	return nil
}

// ChangeRole sets a member's role and organisation scope.
func (s *Service) ChangeRole(ctx context.Context, userID uuid.UUID, role viewer.Role, orgIDs []uuid.UUID) (*Member, error) {
	v := viewer.FromContext(ctx)
	if err := s.checkGrant(v, role, orgIDs); err != nil {
		return nil, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		m, err := s.target(ctx, tx, v, userID)
		if err != nil {
			return err
		}
		if err := checkOrganisations(ctx, tx, orgIDs); err != nil {
			return err
		}
		if role != viewer.RoleOwner {
			if err := keepAnOwner(ctx, tx, m); err != nil {
				return err
			}
		}
		if err := tx.Membership.UpdateOneID(m.ID).SetRole(membership.Role(role)).SetOrganisationIds(orgIDs).Exec(ctx); err != nil {
			return fmt.Errorf("change role: %w", err)
		}
		return recordChange(ctx, tx, m, audit.UserRoleChange, string(m.Role)+" -> "+string(role)+scopeText(orgIDs))
	})
	if err != nil {
		return nil, err
	}
	// The new role and scope apply to the member's very next request.
	s.ids.InvalidateUser(ctx, userID)
	return s.Get(ctx, userID)
}

// SetDisabled disables (and logs out) or re-enables a member.
func (s *Service) SetDisabled(ctx context.Context, userID uuid.UUID, disabled bool) (*Member, error) {
	v := viewer.FromContext(ctx)
	if disabled && userID == v.UserID {
		return nil, apperr.FailedPrecondition("you cannot disable yourself")
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		m, err := s.target(ctx, tx, v, userID)
		if err != nil {
			return err
		}
		upd := tx.Membership.UpdateOneID(m.ID)
		action := audit.UserEnable
		if disabled {
			if m.DisabledAt != nil {
				return nil
			}
			action = audit.UserDisable
			if err := keepAnOwner(ctx, tx, m); err != nil {
				return err
			}
			if err := s.ids.RevokeUser(ctx, tx, v.TenantID, userID); err != nil {
				return err
			}
			upd.SetDisabledAt(s.now())
		} else {
			if m.DisabledAt == nil {
				return nil
			}
			upd.ClearDisabledAt()
		}
		if err := upd.Exec(ctx); err != nil {
			return fmt.Errorf("set disabled: %w", err)
		}
		return recordChange(ctx, tx, m, action, "")
	})
	if err != nil {
		return nil, err
	}
	s.ids.InvalidateUser(ctx, userID)
	return s.Get(ctx, userID)
}
