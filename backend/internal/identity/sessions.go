package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/refreshtoken"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// MaxListedSessions bounds ListSessions; older sessions beyond it are still
// ended by RevokeAllSessions.
const MaxListedSessions = 200

// SessionInfo is one live session of the caller.
type SessionInfo struct {
	*ent.Session
	// Current is true for the session of the request.
	Current bool
}

// signedInViewer returns the request's viewer if it is a user signed in
// with a session (not an API key): sessions belong to people.
func signedInViewer(ctx context.Context) (*viewer.Viewer, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == uuid.Nil {
		return nil, apperr.Unauthenticated("sign in first")
	}
	if v.APIKeyID != uuid.Nil || v.SessionID == uuid.Nil {
		return nil, apperr.PermissionDenied("sessions are managed when signed in, not with an API key")
	}
	return v, nil
}

// ListSessions returns the caller's live sessions in the viewer's tenant,
// most recently used first.
func (s *Service) ListSessions(ctx context.Context) ([]SessionInfo, error) {
	v, err := signedInViewer(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Ent.Session.Query().
		Where(session.UserID(v.UserID), session.RevokedAtIsNil(), session.ExpiresAtGT(s.now())).
		Order(ent.Desc(session.FieldLastUsedAt), ent.Desc(session.FieldCreatedAt)).
		Limit(MaxListedSessions).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]SessionInfo, len(rows))
	for i, r := range rows {
		out[i] = SessionInfo{Session: r, Current: r.ID == v.SessionID}
	}
	return out, nil
}

// RevokeSession ends one of the caller's sessions in the viewer's tenant
// and records auth.session_revoke; any other session is not_found.
func (s *Service) RevokeSession(ctx context.Context, idIn string) error {
	v, err := signedInViewer(ctx)
	if err != nil {
		return err
	}
	id, err := validate.ID("session_id", idIn)
	if err != nil {
		return err
	}
	sess, err := s.st.Ent.Session.Query().
		Where(session.ID(id), session.UserID(v.UserID), session.RevokedAtIsNil(), session.ExpiresAtGT(s.now())).
		Only(ctx)
	if ent.IsNotFound(err) {
		return apperr.NotFound("session")
	}
	if err != nil {
		return fmt.Errorf("find session: %w", err)
	}
	return s.revokeFamily(ctx, v.TenantID, sess.ID, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.SessionRevoke, TargetKind: "session", TargetID: sess.ID,
			TargetName: validate.Clip(sess.UserAgent, 120), Detail: "session signed in " + sess.CreatedAt.UTC().Format(time.RFC3339) + " from " + sess.Address,
		})
	})
}

// RevokeAllSessions ends every session of the caller in the viewer's
// tenant ("sign out everywhere"), except the request's own when
// keepCurrent, records auth.session_revoke and returns how many ended.
func (s *Service) RevokeAllSessions(ctx context.Context, keepCurrent bool) (int, error) {
	v, err := signedInViewer(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		now := s.now()
		q := tx.Session.Update().Where(session.UserID(v.UserID), session.RevokedAtIsNil())
		rq := tx.RefreshToken.Update().Where(refreshtoken.UserID(v.UserID), refreshtoken.RevokedAtIsNil())
		if keepCurrent {
			q.Where(session.IDNEQ(v.SessionID))
			rq.Where(refreshtoken.FamilyIDNEQ(v.SessionID))
		}
		if n, err = q.SetRevokedAt(now).Save(ctx); err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		if _, err := rq.SetRevokedAt(now).Save(ctx); err != nil {
			return fmt.Errorf("revoke refresh tokens: %w", err)
		}
		detail := fmt.Sprintf("signed out everywhere: %d sessions ended", n)
		if keepCurrent {
			detail = fmt.Sprintf("signed out everywhere else: %d sessions ended", n)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.SessionRevoke, TargetKind: "user", TargetID: v.UserID, TargetName: "all sessions", Detail: detail,
		})
	})
	if err != nil {
		return 0, err
	}
	s.InvalidateUser(ctx, v.UserID)
	return n, nil
}

// recordSessionEvent records e in tenantID: with the request's viewer as
// actor when it is that user in that tenant, else (a sign-out with only a
// refresh token) with the user named explicitly.
func (s *Service) recordSessionEvent(ctx context.Context, tx *store.Tx, tenantID, userID uuid.UUID, e audit.Event) error {
	if v := viewer.FromContext(ctx); v != nil && v.TenantID == tenantID && v.UserID == userID {
		return audit.Record(ctx, tx, e)
	}
	name := userID.String()
	if u, err := tx.User.Get(bypass.Allow(ctx, "audit: name the user signing out with a refresh token"), userID); err == nil {
		name = u.Email
	}
	return audit.RecordFor(ctx, tx.Client, tenantID, audit.Actor{ID: userID, Name: name}, e)
}
