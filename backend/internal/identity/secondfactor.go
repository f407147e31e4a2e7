package identity

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
)

// SecondFactors is what sign-in asks about a user's second factors
// (implemented by backend/internal/mfa and set with SetSecondFactors).
type SecondFactors interface {
	// Kinds lists the user's usable second factors ("passkey", "totp",
	// "recovery_code"); empty when the user has none.
	Kinds(ctx context.Context, userID uuid.UUID) ([]string, error)
	// StartAttempt records a sign-in whose password was right and returns
	// the token that finishes it with a second factor.
	StartAttempt(ctx context.Context, userID, tenantID uuid.UUID) (string, error)
}

// SetSecondFactors makes Login ask for a second factor when the user has
// one and issue mark sessions that must set one up first.
func (s *Service) SetSecondFactors(f SecondFactors) { s.factors = f }

// IssueSignIn starts a session for a sign-in completed outside Login (a
// second factor, a passkey) with method (MethodPasswordMFA, MethodPasskey),
// after asking the SignInCheck option (a tenant that allows only single
// sign-on refuses passkeys).
func (s *Service) IssueSignIn(ctx context.Context, userID, tenantID uuid.UUID, method string) (*Tokens, error) {
	if err := s.CheckSignIn(ctx, userID, tenantID, method); err != nil {
		return nil, err
	}
	sctx := bypass.Allow(ctx, "sign-in: issue the tokens of a sign-in completed with a second factor or passkey")
	var tok *Tokens
	err := s.st.Tx(sctx, func(tx *store.Tx) error {
		var err error
		tok, err = s.issue(sctx, tx, userID, tenantID, uuid.New(), method)
		return err
	})
	return tok, err
}

// AdmitSignIn refuses with resource_exhausted while the sign-in throttles
// block addr or the account of email (email may be empty when unknown,
// e.g. a passkey sign-in).
func (s *Service) AdmitSignIn(ctx context.Context, email, addr string) error {
	if blocked, wait := s.limits.AddressFailures.Blocked(ctx, ratelimit.Key("login-address", addr)); blocked {
		return apperr.ResourceExhausted(retrySeconds(wait), "too many failed logins from your address; try again later")
	}
	if email == "" {
		return nil
	}
	acct := ratelimit.Key("login-account", email)
	if slow, _ := s.limits.AccountFailures.Blocked(ctx, acct); slow {
		if busy, wait := s.limits.AccountAttempts.Blocked(ctx, acct); busy {
			return apperr.ResourceExhausted(retrySeconds(wait), "many failed logins for this account: one attempt every %d seconds; try again shortly", int(AccountAttemptInterval.Seconds()))
		}
		s.limits.AccountAttempts.Add(ctx, acct)
	}
	return nil
}

// CountSignInFailure counts a wrong second factor or passkey like a wrong
// password, for the account of email (if known) and addr.
func (s *Service) CountSignInFailure(ctx context.Context, email, addr string) {
	if email != "" {
		s.limits.AccountFailures.Add(ctx, ratelimit.Key("login-account", email))
	}
	s.limits.AddressFailures.Add(ctx, ratelimit.Key("login-address", addr))
}

// RecordSignInFailure writes auth.login_failed (reason in the detail) into
// every tenant the user is an active member of.
func (s *Service) RecordSignInFailure(ctx context.Context, userID uuid.UUID, email, reason string) {
	sctx := bypass.Allow(ctx, "sign-in: find the tenants of a user whose sign-in failed, to audit it there")
	ms, err := s.st.Ent.Membership.Query().Where(
		membership.UserID(userID), membership.DisabledAtIsNil(), membership.AcceptedAtNotNil(),
	).All(sctx)
	if err != nil {
		s.log.ErrorContext(ctx, "audit failed sign-in", "error", err)
		return
	}
	for _, m := range ms {
		if err := audit.RecordFor(ctx, s.st.Ent, m.TenantID, audit.Actor{ID: userID, Name: email}, audit.Event{
			Action: audit.LoginFailed, TargetKind: "user", TargetID: userID, TargetName: email, Detail: reason,
		}); err != nil {
			s.log.ErrorContext(ctx, "audit failed sign-in", "error", err)
		}
	}
}

// CheckPassword reports whether password is the user's (false without
// one).
func (s *Service) CheckPassword(ctx context.Context, userID uuid.UUID, password string) (bool, error) {
	u, err := s.st.Ent.User.Get(bypass.Allow(ctx, "re-authentication: read the caller's password hash"), userID)
	if err != nil {
		return false, fmt.Errorf("find user: %w", err)
	}
	if u.PasswordHash == "" || password == "" {
		return false, nil
	}
	return s.hasher.Check(ctx, u.PasswordHash, password)
}

// afterSignIn runs for every new session inside issue's transaction: it
// marks the session when the tenant requires a second factor that the user
// lacks and audits the sign-in. It reports whether setup is pending.
func (s *Service) afterSignIn(ctx context.Context, tx *store.Tx, userID, tenantID, sessionID uuid.UUID, method string) (bool, error) {
	sctx := bypass.Allow(ctx, "sign-in: read the tenant's second-factor policy and the user for a new session")
	pending := false
	if s.factors != nil && method != MethodPasswordMFA && method != MethodPasskey {
		t, err := tx.Tenant.Get(sctx, tenantID)
		if err != nil {
			return false, fmt.Errorf("find tenant: %w", err)
		}
		if t.RequireSecondFactor {
			kinds, err := s.factors.Kinds(sctx, userID)
			if err != nil {
				return false, err
			}
			if len(kinds) == 0 {
				pending = true
				if err := tx.Session.UpdateOneID(sessionID).SetFactorSetupPending(true).Exec(sctx); err != nil {
					return false, fmt.Errorf("mark session: %w", err)
				}
			}
		}
	}
	u, err := tx.User.Get(sctx, userID)
	if err != nil && !ent.IsNotFound(err) {
		return false, fmt.Errorf("find user: %w", err)
	}
	email := ""
	if u != nil {
		email = u.Email
	}
	if err := audit.RecordFor(ctx, tx.Client, tenantID, audit.Actor{ID: userID, Name: email}, audit.Event{
		Action: audit.Login, TargetKind: "user", TargetID: userID, TargetName: email, Detail: "method=" + method,
	}); err != nil {
		return false, err
	}
	return pending, nil
}
