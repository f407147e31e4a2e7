package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/passkey"
	"github.com/wegweiser/wegweiser/ent/recoverycode"
	"github.com/wegweiser/wegweiser/ent/signinattempt"
	"github.com/wegweiser/wegweiser/ent/webauthnchallenge"
)

func jsonOf(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode WebAuthn options: %w", err)
	}
	return b, nil
}

// protocolDetail is the library's description of a WebAuthn error.
func protocolDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.DevInfo != "" {
			return validate.Clip(pe.Details+": "+pe.DevInfo, 300)
		}
		return validate.Clip(pe.Details, 300)
	}
	return "invalid"
}

// StartAttempt implements identity.SecondFactors: it records a sign-in
// whose password was right and returns its token.
func (s *Service) StartAttempt(ctx context.Context, userID, tenantID uuid.UUID) (string, error) {
	token, hash, err := identity.NewOpaqueToken("wws_")
	if err != nil {
		return "", err
	}
	sctx := bypass.Allow(ctx, "sign-in: record a sign-in attempt that waits for its second factor")
	now := s.now()
	if err := s.st.Ent.SignInAttempt.Create().SetTenantID(tenantID).SetUserID(userID).SetTokenHash(hash).
		SetCreatedAt(now).SetExpiresAt(now.Add(AttemptTTL)).Exec(sctx); err != nil {
		return "", fmt.Errorf("store sign-in attempt: %w", err)
	}
	return token, nil
}

// attempt finds a live sign-in attempt by its token.
func (s *Service) attempt(ctx context.Context, token string) (*ent.SignInAttempt, *ent.User, error) {
	if token == "" {
		return nil, nil, apperr.Invalid("sign_in_token", "must not be empty")
	}
	sctx := bypass.Allow(ctx, "sign-in: find a sign-in attempt by its token")
	a, err := s.st.Ent.SignInAttempt.Query().Where(signinattempt.TokenHash(identity.HashToken(token))).Only(sctx)
	if ent.IsNotFound(err) {
		return nil, nil, apperr.NotFound("sign-in attempt")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find sign-in attempt: %w", err)
	}
	if a.UsedAt != nil || !s.now().Before(a.ExpiresAt) || a.Failures >= MaxAttemptFailures {
		return nil, nil, apperr.NotFound("sign-in attempt")
	}
	u, err := s.st.Ent.User.Get(sctx, a.UserID)
	if err != nil {
		return nil, nil, apperr.NotFoundIf(err, "sign-in attempt")
	}
	return a, u, nil
}

// SecondStep is what BeginSecondFactor offers.
type SecondStep struct {
	OptionsJSON []byte
	Kinds       []string
}

// BeginSecondFactor returns the passkey request options for a sign-in
// attempt (none without passkeys) and the factors the user can answer with.
func (s *Service) BeginSecondFactor(ctx context.Context, token string) (*SecondStep, error) {
	a, _, err := s.attempt(ctx, token)
	if err != nil {
		return nil, err
	}
	kinds, err := s.Kinds(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	st := &SecondStep{Kinds: kinds}
	wu, _, err := s.loadUser(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	if len(wu.creds) == 0 || s.wa == nil {
		return st, nil
	}
	assertion, sd, err := s.wa.BeginLogin(wu, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, fmt.Errorf("begin passkey: %w", err)
	}
	sctx := bypass.Allow(ctx, "sign-in: retire the earlier challenges of a sign-in attempt")
	if _, err := s.st.Ent.WebAuthnChallenge.Update().Where(webauthnchallenge.AttemptID(a.ID), webauthnchallenge.UsedAtIsNil()).
		SetUsedAt(s.now()).Save(sctx); err != nil {
		return nil, fmt.Errorf("retire challenges: %w", err)
	}
	if _, err := s.storeChallenge(ctx, binding{purpose: webauthnchallenge.PurposeSecondFactor, userID: a.UserID, attemptID: a.ID}, sd); err != nil {
		return nil, err
	}
	if st.OptionsJSON, err = jsonOf(assertion.Response); err != nil {
		return nil, err
	}
	return st, nil
}

// SecondFactorAnswer is one answer of FinishSecondFactor; one field is set.
type SecondFactorAnswer struct {
	PasskeyAssertionJSON, TotpCode, RecoveryCode string
}

// FinishSecondFactor completes a sign-in attempt with a second factor and
// issues tokens; it returns the recovery codes left. A wrong answer counts
// into the sign-in throttles and the attempt's failures.
func (s *Service) FinishSecondFactor(ctx context.Context, token string, ans SecondFactorAnswer, addr string) (*identity.Tokens, int, error) {
	a, u, err := s.attempt(ctx, token)
	if err != nil {
		return nil, 0, err
	}
	if err := s.ids.AdmitSignIn(ctx, u.Email, addr); err != nil {
		return nil, 0, err
	}
	var ok bool
	var what string
	switch {
	case ans.PasskeyAssertionJSON != "":
		what = "passkey"
		if err := s.passkeysOn(); err != nil {
			return nil, 0, err
		}
		sd, err := s.consumeChallenge(ctx, uuid.Nil, binding{purpose: webauthnchallenge.PurposeSecondFactor, userID: a.UserID, attemptID: a.ID})
		if err != nil {
			return nil, 0, s.attemptFailed(ctx, a, u, addr, "second factor: "+err.Error())
		}
		if ok, err = s.checkAssertion(ctx, a.UserID, sd, ans.PasskeyAssertionJSON); err != nil {
			return nil, 0, err
		}
	case ans.TotpCode != "":
		what = "authenticator app"
		if ok, err = s.checkTotp(ctx, a.UserID, ans.TotpCode); err != nil {
			return nil, 0, err
		}
	case ans.RecoveryCode != "":
		what = "recovery code"
		if ok, err = s.useRecoveryCode(ctx, a, u, ans.RecoveryCode); err != nil {
			return nil, 0, err
		}
	default:
		return nil, 0, apperr.Invalid("factor", "give a passkey assertion, a TOTP code or a recovery code")
	}
	if !ok {
		return nil, 0, s.attemptFailed(ctx, a, u, addr, "wrong second factor ("+what+")")
	}
	sctx := bypass.Allow(ctx, "sign-in: spend a sign-in attempt")
	n, err := s.st.Ent.SignInAttempt.Update().Where(signinattempt.ID(a.ID), signinattempt.UsedAtIsNil()).SetUsedAt(s.now()).Save(sctx)
	if err != nil {
		return nil, 0, fmt.Errorf("spend sign-in attempt: %w", err)
	}
	if n == 0 {
		return nil, 0, apperr.NotFound("sign-in attempt")
	}
	if err := s.ids.CheckSignIn(ctx, a.UserID, a.TenantID, identity.MethodPasswordMFA); err != nil {
		return nil, 0, err
	}
	tok, err := s.ids.IssueSignIn(ctx, a.UserID, a.TenantID, identity.MethodPasswordMFA)
	if err != nil {
		return nil, 0, err
	}
	left, err := s.st.Ent.RecoveryCode.Query().Where(recoverycode.UserID(a.UserID), recoverycode.UsedAtIsNil()).Count(sctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return tok, left, nil
}

// attemptFailed counts a wrong answer everywhere it counts and returns the
// error for the client.
func (s *Service) attemptFailed(ctx context.Context, a *ent.SignInAttempt, u *ent.User, addr, reason string) error {
	sctx := bypass.Allow(ctx, "sign-in: count a wrong answer of a sign-in attempt")
	if err := s.st.Ent.SignInAttempt.UpdateOneID(a.ID).AddFailures(1).Exec(sctx); err != nil {
		return fmt.Errorf("count failure: %w", err)
	}
	s.ids.CountSignInFailure(ctx, u.Email, addr)
	s.ids.RecordSignInFailure(ctx, u.ID, u.Email, reason)
	return apperr.Unauthenticated("the second factor was not accepted")
}

// useRecoveryCode spends one of the user's recovery codes.
func (s *Service) useRecoveryCode(ctx context.Context, a *ent.SignInAttempt, u *ent.User, code string) (bool, error) {
	c := normCode(code)
	if c == "" || len(c) > 64 {
		return false, nil
	}
	sctx := bypass.Allow(ctx, "sign-in: spend a recovery code of the user signing in")
	now := s.now()
	ok := false
	err := s.st.Tx(sctx, func(tx *store.Tx) error {
		n, err := tx.RecoveryCode.Update().Where(
			recoverycode.UserID(a.UserID), recoverycode.CodeHash(identity.HashToken(c)), recoverycode.UsedAtIsNil(),
		).SetUsedAt(now).Save(sctx)
		if err != nil {
			return fmt.Errorf("spend recovery code: %w", err)
		}
		if n == 0 {
			return nil
		}
		ok = true
		return audit.RecordFor(ctx, tx.Client, a.TenantID, audit.Actor{ID: u.ID, Name: u.Email}, audit.Event{
			Action: audit.RecoveryCodeUse, TargetKind: "user", TargetID: u.ID, TargetName: u.Email,
		})
	})
	return ok, err
}

// checkAssertion verifies a passkey assertion of userID against sd and
// records the passkey's use; false for anything not accepted, including a
// signature counter that did not go up.
func (s *Service) checkAssertion(ctx context.Context, userID uuid.UUID, sd *webauthn.SessionData, assertionJSON string) (bool, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(assertionJSON))
	if err != nil {
		return false, nil
	}
	wu, pks, err := s.loadUser(ctx, userID)
	if err != nil {
		return false, err
	}
	cred, err := s.wa.ValidateLogin(wu, *sd, parsed)
	if err != nil {
		return false, nil
	}
	return s.passkeyUsed(ctx, pks, cred)
}

// passkeyUsed refuses a cloned authenticator (counter not increasing) and
// stores the new counter and last use.
func (s *Service) passkeyUsed(ctx context.Context, pks []*ent.Passkey, cred *webauthn.Credential) (bool, error) {
	if cred.Authenticator.CloneWarning {
		return false, nil
	}
	var pk *ent.Passkey
	for _, p := range pks {
		if string(p.CredentialID) == string(cred.ID) {
			pk = p
		}
	}
	if pk == nil {
		return false, nil
	}
	sctx := bypass.Allow(ctx, "mfa: record the use of a passkey")
	upd := s.st.Ent.Passkey.Update().Where(passkey.ID(pk.ID), passkey.SignCount(pk.SignCount)).
		SetSignCount(cred.Authenticator.SignCount).SetLastUsedAt(s.now()).SetBackupState(cred.Flags.BackupState)
	n, err := upd.Save(sctx)
	if err != nil {
		return false, fmt.Errorf("record passkey use: %w", err)
	}
	// A concurrent use with the same counter lost the race: refuse it.
	return n == 1, nil
}

// PasskeyChallenge is a passwordless sign-in challenge.
type PasskeyChallenge struct {
	ID          uuid.UUID
	OptionsJSON []byte
}

// BeginPasskeySignIn starts a discoverable-credential sign-in with user
// verification required.
func (s *Service) BeginPasskeySignIn(ctx context.Context) (*PasskeyChallenge, error) {
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	assertion, sd, err := s.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin passkey sign-in: %w", err)
	}
	id, err := s.storeChallenge(ctx, binding{purpose: webauthnchallenge.PurposeSignIn}, sd)
	if err != nil {
		return nil, err
	}
	opts, err := jsonOf(assertion.Response)
	if err != nil {
		return nil, err
	}
	return &PasskeyChallenge{ID: id, OptionsJSON: opts}, nil
}

// FinishPasskeySignIn verifies a passkey assertion for a challenge of
// BeginPasskeySignIn and issues tokens for tenantIDIn (or the user's oldest
// active membership).
func (s *Service) FinishPasskeySignIn(ctx context.Context, challengeIDIn, assertionJSON, tenantIDIn, addr string) (*identity.Tokens, error) {
	challengeID, err := validate.ID("challenge_id", challengeIDIn)
	if err != nil {
		return nil, err
	}
	tenantID, err := validate.OptionalID("tenant_id", tenantIDIn)
	if err != nil {
		return nil, err
	}
	if assertionJSON == "" {
		return nil, apperr.Invalid("assertion_json", "must not be empty")
	}
	if err := s.ids.AdmitSignIn(ctx, "", addr); err != nil {
		return nil, err
	}
	sd, err := s.consumeChallenge(ctx, challengeID, binding{purpose: webauthnchallenge.PurposeSignIn})
	if err != nil {
		return nil, err
	}
	if err := s.passkeysOn(); err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(assertionJSON))
	if err != nil {
		return nil, apperr.Invalid("assertion_json", "is not a WebAuthn assertion: %s", protocolDetail(err))
	}
	var owner *waUser
	var pks []*ent.Passkey
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		uid, err := uuid.FromBytes(userHandle)
		if err != nil {
			return nil, err
		}
		if owner, pks, err = s.loadUser(ctx, uid); err != nil {
			return nil, err
		}
		return owner, nil
	}
	_, cred, err := s.wa.ValidatePasskeyLogin(handler, *sd, parsed)
	ok := err == nil
	if ok {
		if ok, err = s.passkeyUsed(ctx, pks, cred); err != nil {
			return nil, err
		}
	}
	if !ok {
		email := ""
		if owner != nil {
			email = owner.email
			s.ids.RecordSignInFailure(ctx, owner.id, email, "passkey not accepted")
		}
		s.ids.CountSignInFailure(ctx, email, addr)
		return nil, apperr.Unauthenticated("the passkey was not accepted")
	}
	m, err := s.ids.SignInMembership(ctx, owner.id, tenantID)
	if err != nil {
		return nil, err
	}
	// IssueSignIn asks the sign-in check (SSO-only tenants refuse passkeys).
	return s.ids.IssueSignIn(ctx, owner.id, m.TenantID, identity.MethodPasskey)
}
