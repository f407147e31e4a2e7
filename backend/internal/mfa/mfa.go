// Package mfa holds second factors and passkeys: WebAuthn credentials
// (go-webauthn) for passwordless sign-in and as a second factor, an
// authenticator app (TOTP, sealed with the operator's secret key), single-use
// recovery codes, the second step of a password sign-in (SignInAttempt),
// re-authentication before factor changes, and the tenant's "require a
// second factor" policy.
package mfa

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/passkey"
	"github.com/wegweiser/wegweiser/ent/recoverycode"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/totpsecret"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/ent/webauthnchallenge"
)

// Lifetimes and limits.
const (
	// ChallengeTTL is how long a WebAuthn challenge can be answered.
	ChallengeTTL = 2 * time.Minute
	// AttemptTTL is how long a sign-in attempt waits for its second factor.
	AttemptTTL = 5 * time.Minute
	// MaxAttemptFailures wrong answers end a sign-in attempt.
	MaxAttemptFailures = 5
	// RecentSignIn is how long after a sign-in or re-authentication
	// factors can be changed.
	RecentSignIn = 10 * time.Minute
	// TotpEnrollmentTTL is how long a pending TOTP secret can be confirmed.
	TotpEnrollmentTTL = 10 * time.Minute
	// RecoveryCodes is how many recovery codes a user gets.
	RecoveryCodes = 10
)

// Second-factor kinds as identity.SecondFactors reports them.
const (
	KindPasskey      = "passkey"
	KindTotp         = "totp"
	KindRecoveryCode = "recovery_code"
)

// Config is the WebAuthn relying party.
type Config struct {
	// PublicURL is where users reach the dashboard: its host is the RP id
	// and its origin is accepted.
	PublicURL string
	// ExtraOrigins are further accepted origins (e.g. a dev server on
	// another port of the same host).
	ExtraOrigins []string
	// Issuer names the service in authenticator apps; "Wegweiser" if empty.
	Issuer string
}

// Service implements second factors and passkeys.
type Service struct {
	st     *store.Store
	ids    *identity.Service
	box    *secrets.Box
	wa     *webauthn.WebAuthn
	issuer string
	log    *slog.Logger
	now    func() time.Time
}

// New returns the service and registers it with ids as the source of
// second factors for sign-in.
func New(st *store.Store, ids *identity.Service, box *secrets.Box, cfg Config, log *slog.Logger) (*Service, error) {
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("passkeys: public URL %q has no host", cfg.PublicURL)
	}
	// WebAuthn needs a domain (localhost included) as the relying party;
	// on a bare IP address passkeys are off and the rest still works.
	var wa *webauthn.WebAuthn
	if net.ParseIP(u.Hostname()) == nil {
		origins := append([]string{u.Scheme + "://" + u.Host}, cfg.ExtraOrigins...)
		if wa, err = webauthn.New(&webauthn.Config{
			RPID: u.Hostname(), RPDisplayName: "Wegweiser", RPOrigins: origins,
			AttestationPreference: protocol.PreferNoAttestation,
		}); err != nil {
			return nil, fmt.Errorf("passkeys: %w", err)
		}
	} else {
		log.Warn("passkeys are off: the public URL's host is an IP address; set -public-url to a domain name", "public_url", cfg.PublicURL)
	}
	issuer := cfg.Issuer
	if issuer == "" {
		issuer = "Wegweiser"
	}
	s := &Service{st: st, ids: ids, box: box, wa: wa, issuer: issuer, log: log, now: func() time.Time { return time.Now().UTC() }}
	ids.SetSecondFactors(s)
	return s, nil
}

// Kinds implements identity.SecondFactors: the user's usable second
// factors (recovery codes only count beside a passkey or an app).
func (s *Service) Kinds(ctx context.Context, userID uuid.UUID) ([]string, error) {
	sctx := bypass.Allow(ctx, "mfa: list a user's second factors for sign-in and policy checks")
	var kinds []string
	n, err := s.st.Ent.Passkey.Query().Where(passkey.UserID(userID)).Count(sctx)
	if err != nil {
		return nil, fmt.Errorf("count passkeys: %w", err)
	}
	if n > 0 {
		kinds = append(kinds, KindPasskey)
	}
	totp, err := s.st.Ent.TotpSecret.Query().Where(totpsecret.UserID(userID), totpsecret.ConfirmedAtNotNil()).Exist(sctx)
	if err != nil {
		return nil, fmt.Errorf("find authenticator app: %w", err)
	}
	if totp {
		kinds = append(kinds, KindTotp)
	}
	if len(kinds) == 0 {
		return nil, nil
	}
	codes, err := s.st.Ent.RecoveryCode.Query().Where(recoverycode.UserID(userID), recoverycode.UsedAtIsNil()).Exist(sctx)
	if err != nil {
		return nil, fmt.Errorf("find recovery codes: %w", err)
	}
	if codes {
		kinds = append(kinds, KindRecoveryCode)
	}
	return kinds, nil
}

var errNoPasskeys = apperr.FailedPrecondition("passkeys are off on this server: its public URL must be a domain name")

// passkeysOn fails while passkeys are off.
func (s *Service) passkeysOn() error {
	if s.wa == nil {
		return errNoPasskeys
	}
	return nil
}

// me is the signed-in user of ctx (not an API key; the Guard refuses
// those already).
func me(ctx context.Context) (*viewer.Viewer, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == uuid.Nil || v.SessionID == uuid.Nil || v.APIKeyID != uuid.Nil {
		return nil, apperr.PermissionDenied("a signed-in user is required")
	}
	return v, nil
}

// recentUntil is until when the caller's session counts as recently
// signed in (zero when it does not).
func (s *Service) recentUntil(ctx context.Context, v *viewer.Viewer) (time.Time, error) {
	sess, err := s.st.Ent.Session.Query().Where(session.ID(v.SessionID), session.UserID(v.UserID)).Only(ctx)
	if err != nil {
		return time.Time{}, apperr.NotFoundIf(err, "session")
	}
	until := sess.AuthenticatedAt.Add(RecentSignIn)
	if !s.now().Before(until) {
		return time.Time{}, nil
	}
	return until, nil
}

// requireRecent fails with failed_precondition unless the caller signed in
// or re-authenticated within RecentSignIn.
func (s *Service) requireRecent(ctx context.Context, v *viewer.Viewer) error {
	until, err := s.recentUntil(ctx, v)
	if err != nil {
		return err
	}
	if until.IsZero() {
		return apperr.FailedPrecondition("recent sign-in required")
	}
	return nil
}

// waUser is a user as go-webauthn sees it.
type waUser struct {
	id          uuid.UUID
	name, email string
	creds       []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte                         { return u.id[:] }
func (u *waUser) WebAuthnName() string                       { return u.email }
func (u *waUser) WebAuthnDisplayName() string                { return u.name }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// credential turns a stored passkey into go-webauthn's form.
func credential(p *ent.Passkey) webauthn.Credential {
	ts := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		ts[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID: p.CredentialID, PublicKey: p.PublicKey, AttestationType: p.AttestationType, Transport: ts,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: p.UserVerified, BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: p.Aaguid, SignCount: p.SignCount},
	}
}

// loadUser reads a user and their passkeys.
func (s *Service) loadUser(ctx context.Context, userID uuid.UUID) (*waUser, []*ent.Passkey, error) {
	sctx := bypass.Allow(ctx, "mfa: read a user and their passkeys for a WebAuthn ceremony")
	u, err := s.st.Ent.User.Get(sctx, userID)
	if err != nil {
		return nil, nil, apperr.NotFoundIf(err, "user")
	}
	pks, err := s.st.Ent.Passkey.Query().Where(passkey.UserID(userID)).Order(ent.Asc(passkey.FieldCreatedAt)).All(sctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list passkeys: %w", err)
	}
	wu := &waUser{id: u.ID, name: u.DisplayName, email: u.Email}
	if wu.name == "" {
		wu.name = u.Email
	}
	for _, p := range pks {
		wu.creds = append(wu.creds, credential(p))
	}
	return wu, pks, nil
}

// binding is what a challenge belongs to.
type binding struct {
	purpose   webauthnchallenge.Purpose
	userID    uuid.UUID
	sessionID uuid.UUID
	attemptID uuid.UUID
}

// storeChallenge keeps a ceremony's session data for ChallengeTTL.
func (s *Service) storeChallenge(ctx context.Context, b binding, sd *webauthn.SessionData) (uuid.UUID, error) {
	data, err := json.Marshal(sd)
	if err != nil {
		return uuid.Nil, err
	}
	sctx := bypass.Allow(ctx, "mfa: store a WebAuthn challenge, bound to its user, session or sign-in attempt")
	now := s.now()
	c := s.st.Ent.WebAuthnChallenge.Create().SetPurpose(b.purpose).SetSessionData(data).
		SetCreatedAt(now).SetExpiresAt(now.Add(ChallengeTTL))
	if b.userID != uuid.Nil {
		c.SetUserID(b.userID)
	}
	if b.sessionID != uuid.Nil {
		c.SetSessionID(b.sessionID)
	}
	if b.attemptID != uuid.Nil {
		c.SetAttemptID(b.attemptID)
	}
	row, err := c.Save(sctx)
	if err != nil {
		return uuid.Nil, fmt.Errorf("store challenge: %w", err)
	}
	return row.ID, nil
}

var errChallenge = apperr.Unauthenticated("the passkey challenge is unknown, used or expired; try again")

// consumeChallenge spends the challenge id (the newest live one of the
// binding's attempt when id is uuid.Nil) if it matches the binding: the
// conditional update that marks it used is the check, so it works once.
func (s *Service) consumeChallenge(ctx context.Context, id uuid.UUID, b binding) (*webauthn.SessionData, error) {
	sctx := bypass.Allow(ctx, "mfa: spend a WebAuthn challenge, checking its binding")
	now := s.now()
	if id == uuid.Nil {
		if b.attemptID == uuid.Nil {
			return nil, errChallenge
		}
		row, err := s.st.Ent.WebAuthnChallenge.Query().Where(
			webauthnchallenge.AttemptID(b.attemptID), webauthnchallenge.UsedAtIsNil(), webauthnchallenge.ExpiresAtGT(now),
		).Order(ent.Desc(webauthnchallenge.FieldCreatedAt)).First(sctx)
		if ent.IsNotFound(err) {
			return nil, errChallenge
		}
		if err != nil {
			return nil, fmt.Errorf("find challenge: %w", err)
		}
		id = row.ID
	}
	q := s.st.Ent.WebAuthnChallenge.Update().Where(
		webauthnchallenge.ID(id), webauthnchallenge.PurposeEQ(b.purpose),
		webauthnchallenge.UsedAtIsNil(), webauthnchallenge.ExpiresAtGT(now),
	)
	if b.userID != uuid.Nil {
		q.Where(webauthnchallenge.UserID(b.userID))
	} else {
		q.Where(webauthnchallenge.UserIDIsNil())
	}
	if b.sessionID != uuid.Nil {
		q.Where(webauthnchallenge.SessionID(b.sessionID))
	} else {
		q.Where(webauthnchallenge.SessionIDIsNil())
	}
	if b.attemptID != uuid.Nil {
		q.Where(webauthnchallenge.AttemptID(b.attemptID))
	} else {
		q.Where(webauthnchallenge.AttemptIDIsNil())
	}
	n, err := q.SetUsedAt(now).Save(sctx)
	if err != nil {
		return nil, fmt.Errorf("spend challenge: %w", err)
	}
	if n == 0 {
		// An id that never was a challenge is not_found; a used, expired
		// or foreign one is unauthenticated.
		if exists, err := s.st.Ent.WebAuthnChallenge.Query().Where(webauthnchallenge.ID(id)).Exist(sctx); err == nil && !exists {
			return nil, apperr.NotFound("challenge")
		}
		return nil, errChallenge
	}
	row, err := s.st.Ent.WebAuthnChallenge.Get(sctx, id)
	if err != nil {
		return nil, fmt.Errorf("read challenge: %w", err)
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal(row.SessionData, &sd); err != nil {
		return nil, fmt.Errorf("read challenge: %w", err)
	}
	return &sd, nil
}
