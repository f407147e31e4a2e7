package mfa

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/passkey"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/totpsecret"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// tenantRequires reports whether the viewer's tenant requires a second
// factor.
func (s *Service) tenantRequires(ctx context.Context, v *viewer.Viewer) (bool, error) {
	t, err := s.st.Ent.Tenant.Get(ctx, v.TenantID)
	if err != nil {
		return false, apperr.NotFoundIf(err, "tenant")
	}
	return t.RequireSecondFactor, nil
}

// Policy is the tenant's sign-in policy.
type Policy struct {
	RequireSecondFactor bool
	// MembersWithout counts active members without a second factor (for
	// owners and admins; -1 for others).
	MembersWithout int
}

// withoutFactor lists the active members of the viewer's tenant that have
// no passkey and no active authenticator app.
func (s *Service) withoutFactor(ctx context.Context, v *viewer.Viewer) ([]uuid.UUID, error) {
	ms, err := s.st.Ent.Membership.Query().Where(membership.DisabledAtIsNil(), membership.AcceptedAtNotNil()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	ids := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	sctx := bypass.Allow(ctx, "security policy: find which of the tenant's members have a second factor")
	with := map[uuid.UUID]bool{}
	pks, err := s.st.Ent.Passkey.Query().Where(passkey.UserIDIn(ids...)).All(sctx)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	for _, p := range pks {
		with[p.UserID] = true
	}
	tps, err := s.st.Ent.TotpSecret.Query().Where(totpsecret.UserIDIn(ids...), totpsecret.ConfirmedAtNotNil()).All(sctx)
	if err != nil {
		return nil, fmt.Errorf("list authenticator apps: %w", err)
	}
	for _, t := range tps {
		with[t.UserID] = true
	}
	var out []uuid.UUID
	for _, id := range ids {
		if !with[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// GetPolicy returns the viewer's tenant's policy.
func (s *Service) GetPolicy(ctx context.Context) (*Policy, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	req, err := s.tenantRequires(ctx, v)
	if err != nil {
		return nil, err
	}
	p := &Policy{RequireSecondFactor: req, MembersWithout: -1}
	if v.Role == viewer.RoleOwner || v.Role == viewer.RoleAdmin {
		without, err := s.withoutFactor(ctx, v)
		if err != nil {
			return nil, err
		}
		p.MembersWithout = len(without)
	}
	return p, nil
}

// UpdatePolicy sets the tenant's policy. Turning the requirement on marks
// the live sessions of members without a second factor, who then can only
// set one up; the caller must have one first.
func (s *Service) UpdatePolicy(ctx context.Context, require bool) (*Policy, error) {
	v, err := me(ctx)
	if err != nil {
		return nil, err
	}
	old, err := s.tenantRequires(ctx, v)
	if err != nil {
		return nil, err
	}
	if old == require {
		return s.GetPolicy(ctx)
	}
	var without []uuid.UUID
	if require {
		if without, err = s.withoutFactor(ctx, v); err != nil {
			return nil, err
		}
		for _, id := range without {
			if id == v.UserID {
				return nil, apperr.FailedPrecondition("set up a second factor for yourself before requiring one")
			}
		}
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Tenant.UpdateOneID(v.TenantID).SetRequireSecondFactor(require).Exec(ctx); err != nil {
			return fmt.Errorf("update policy: %w", err)
		}
		if require && len(without) > 0 {
			if _, err := tx.Session.Update().Where(session.UserIDIn(without...), session.RevokedAtIsNil()).
				SetFactorSetupPending(true).Save(ctx); err != nil {
				return fmt.Errorf("mark sessions: %w", err)
			}
		}
		if !require {
			if _, err := tx.Session.Update().Where(session.FactorSetupPending(true)).SetFactorSetupPending(false).Save(ctx); err != nil {
				return fmt.Errorf("clear sessions: %w", err)
			}
		}
		detail := "require_second_factor=false"
		if require {
			detail = "require_second_factor=true"
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.SecurityPolicyChange, TargetKind: "tenant", TargetID: v.TenantID, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	for _, id := range without {
		s.ids.InvalidateUser(ctx, id)
	}
	if !require {
		ms, err := s.st.Ent.Membership.Query().All(ctx)
		if err == nil {
			for _, m := range ms {
				s.ids.InvalidateUser(ctx, m.UserID)
			}
		}
	}
	return s.GetPolicy(ctx)
}
