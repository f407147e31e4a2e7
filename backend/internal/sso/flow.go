package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/ssoconfig"
	"github.com/wegweiser/wegweiser/ent/ssodomain"
	"github.com/wegweiser/wegweiser/ent/ssologincode"
	"github.com/wegweiser/wegweiser/ent/ssostate"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/useridentity"
)

// Scopes are asked of every provider.
var Scopes = []string{oidc.ScopeOpenID, "email", "profile"}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashBinding is the SHA-256 (hex) of a browser binding value.
func HashBinding(binding string) string {
	sum := sha256.Sum256([]byte(binding))
	return hex.EncodeToString(sum[:])
}

func validBindingHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// Start begins a sign-in for the tenant tenantIDIn names or, without it,
// the tenant whose enabled configuration claims the email's domain
// (not_found when none), and returns the provider's authorization URL.
// addr is the caller's source address for the start throttle.
func (s *Service) Start(ctx context.Context, email, tenantIDIn, bindingHash, addr string) (string, error) {
	tenantID, err := validate.OptionalID("tenant_id", tenantIDIn)
	if err != nil {
		return "", err
	}
	email = strings.TrimSpace(email)
	if tenantID == uuid.Nil {
		if email, err = validate.Email("email", email); err != nil {
			return "", err
		}
	}
	sctx := bypass.Allow(ctx, "sso: find the tenant whose single sign-on serves an address, before anyone is signed in")
	if tenantID == uuid.Nil {
		d, err := s.st.Ent.SSODomain.Query().Where(ssodomain.Domain(email[strings.LastIndex(email, "@")+1:])).Only(sctx)
		if ent.IsNotFound(err) {
			return "", apperr.NotFound("single sign-on for this address")
		}
		if err != nil {
			return "", fmt.Errorf("find sso domain: %w", err)
		}
		tenantID = d.TenantID
	}
	cfg, err := s.st.Ent.SSOConfig.Query().Where(ssoconfig.TenantID(tenantID), ssoconfig.Enabled(true)).Only(sctx)
	if ent.IsNotFound(err) {
		return "", apperr.NotFound("single sign-on for this address")
	}
	if err != nil {
		return "", fmt.Errorf("find sso config: %w", err)
	}
	// Only a tenant that offers single sign-on gets this far; the binding
	// is checked and the address throttled before any state is stored.
	bindingHash = strings.TrimSpace(bindingHash)
	if !validBindingHash(bindingHash) {
		return "", apperr.Invalid("browser_binding_hash", "must be the SHA-256 of the binding as 64 lower-case hex digits")
	}
	key := ratelimit.Key("sso-start", addr)
	if blocked, wait := s.starts.Blocked(key); blocked {
		return "", apperr.ResourceExhausted(int(wait.Seconds())+1, "too many single sign-on attempts from your address; try again shortly")
	}
	s.starts.Add(key)
	p, err := s.discover(ctx, cfg.IssuerURL, false)
	if err != nil {
		if apperr.Is(err, apperr.KindInvalid) {
			return "", apperr.Unavailable(err, "the organisation's identity provider does not answer as an OpenID provider")
		}
		return "", err
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	now := s.now()
	tctx := bypass.AsTenant(ctx, tenantID, "sso: store a started sign-in in the tenant it is for")
	if _, err := s.st.Ent.SSOState.Delete().Where(ssostate.ExpiresAtLT(now)).Exec(tctx); err != nil {
		return "", fmt.Errorf("prune sso states: %w", err)
	}
	if err := s.st.Ent.SSOState.Create().SetTenantID(tenantID).SetStateHash(identity.HashToken(state)).SetNonce(nonce).
		SetPkceVerifier(verifier).SetBindingHash(bindingHash).SetCreatedAt(now).SetExpiresAt(now.Add(StateTTL)).Exec(tctx); err != nil {
		return "", fmt.Errorf("store sso state: %w", err)
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if email != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", email))
	}
	return s.oauth(cfg, p, "").AuthCodeURL(state, opts...), nil
}

func (s *Service) oauth(cfg *ent.SSOConfig, p *oidc.Provider, secret string) *oauth2.Config {
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: s.RedirectURL(), Scopes: Scopes}
}

// Failure reasons the callback puts into the dashboard URL (?error=).
const (
	ErrReasonState      = "invalid_state"
	ErrReasonExpired    = "expired"
	ErrReasonProvider   = "provider_error"
	ErrReasonDenied     = "access_denied"
	ErrReasonToken      = "invalid_token"
	ErrReasonUnverified = "email_not_verified"
	ErrReasonNotAllowed = "not_allowed"
	ErrReasonDisabled   = "disabled"
)

// Callback handles the provider's redirect (its query parameters) and
// returns where to send the browser: the dashboard's login page with a
// one-time code, or with a short error reason. Nothing the provider sent
// (tokens, its code) ever appears in that URL.
func (s *Service) Callback(ctx context.Context, q url.Values) string {
	code, err := s.callback(ctx, q)
	if err != nil {
		return s.publicURL + LoginPath + "?error=" + url.QueryEscape(err.reason)
	}
	return s.publicURL + LoginPath + "?code=" + url.QueryEscape(code)
}

type failure struct{ reason, detail string }

func (f *failure) Error() string { return f.reason + ": " + f.detail }

func fail(reason, format string, args ...any) *failure {
	return &failure{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// claims are the ID token claims the sign-in reads.
type claims struct {
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Name          string `json:"name"`
}

// verified reads email_verified as a boolean or the string "true" (some
// providers send a string); absent is not verified.
func (c claims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

func (s *Service) callback(ctx context.Context, q url.Values) (string, *failure) {
	stateIn := q.Get("state")
	if stateIn == "" || len(stateIn) > 200 {
		return "", fail(ErrReasonState, "no state")
	}
	sctx := bypass.Allow(ctx, "sso: find the started sign-in a provider callback's state names")
	st, err := s.st.Ent.SSOState.Query().Where(ssostate.StateHash(identity.HashToken(stateIn))).Only(sctx)
	if err != nil {
		if !ent.IsNotFound(err) {
			s.log.ErrorContext(ctx, "sso callback: find state", "err", err)
		}
		return "", fail(ErrReasonState, "unknown or used state")
	}
	// Single use: whoever deletes it owns it.
	n, err := s.st.Ent.SSOState.Delete().Where(ssostate.ID(st.ID)).Exec(sctx)
	if err != nil || n == 0 {
		return "", fail(ErrReasonState, "state already used")
	}
	tenantID := st.TenantID
	tctx := bypass.AsTenant(ctx, tenantID, "sso: complete a sign-in through the tenant's own provider")
	auditFail := func(f *failure, who string) *failure {
		if who == "" {
			who = "unknown"
		}
		if err := audit.RecordFor(ctx, s.st.Ent, tenantID, audit.Actor{Name: who}, audit.Event{
			Action: audit.LoginFailed, TargetKind: "user", TargetName: who, Detail: "method sso: " + f.reason,
		}); err != nil {
			s.log.ErrorContext(ctx, "sso callback: audit", "err", err)
		}
		s.log.InfoContext(ctx, "sso sign-in refused", "tenant_id", tenantID, "reason", f.reason, "detail", f.detail)
		return f
	}
	if !s.now().Before(st.ExpiresAt) {
		return "", auditFail(fail(ErrReasonExpired, "state expired"), "")
	}
	if e := q.Get("error"); e != "" {
		return "", auditFail(fail(ErrReasonDenied, "provider returned %s", validate.Clip(e, 100)), "")
	}
	cfg, err := s.st.Ent.SSOConfig.Query().Where(ssoconfig.Enabled(true)).Only(tctx)
	if err != nil {
		return "", auditFail(fail(ErrReasonProvider, "single sign-on is not enabled"), "")
	}
	p, err := s.discover(ctx, cfg.IssuerURL, false)
	if err != nil {
		return "", auditFail(fail(ErrReasonProvider, "discovery: %v", err), "")
	}
	secret := ""
	if cfg.ClientSecretEncrypted != nil {
		b, err := s.box.Open(*cfg.ClientSecretEncrypted, s.secretAAD(tenantID))
		if err != nil {
			return "", auditFail(fail(ErrReasonProvider, "client secret: %v", err), "")
		}
		secret = string(b)
	}
	code := q.Get("code")
	if code == "" {
		return "", auditFail(fail(ErrReasonProvider, "no code"), "")
	}
	octx := oidc.ClientContext(ctx, s.client)
	tok, err := s.oauth(cfg, p, secret).Exchange(octx, code, oauth2.VerifierOption(st.PkceVerifier))
	if err != nil {
		return "", auditFail(fail(ErrReasonProvider, "code exchange: %v", err), "")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", auditFail(fail(ErrReasonToken, "no id_token"), "")
	}
	idt, err := p.VerifierContext(octx, &oidc.Config{ClientID: cfg.ClientID, Now: s.now}).Verify(octx, raw)
	if err != nil {
		return "", auditFail(fail(ErrReasonToken, "verify: %v", err), "")
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return "", auditFail(fail(ErrReasonToken, "claims: %v", err), "")
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return "", auditFail(fail(ErrReasonToken, "nonce mismatch"), c.Email)
	}
	email, err := validate.Email("email", c.Email)
	if err != nil {
		return "", auditFail(fail(ErrReasonUnverified, "no usable email claim"), "")
	}
	if !c.verified() {
		return "", auditFail(fail(ErrReasonUnverified, "email_verified is not true"), email)
	}
	var oneTime string
	err = s.st.Tx(tctx, func(tx *store.Tx) error {
		userID, jit, err := s.match(tctx, tx, cfg, idt.Issuer, idt.Subject, email, c.Name)
		if err != nil {
			return err
		}
		if jit {
			if err := audit.RecordFor(tctx, tx.Client, tenantID, audit.Actor{ID: userID, Name: email}, audit.Event{
				Action: audit.UserJoinSSO, TargetKind: "user", TargetID: userID, TargetName: email,
				Detail: "joined at first single sign-on with role " + string(*cfg.DefaultRole),
			}); err != nil {
				return err
			}
		}
		token, hash, err := identity.NewOpaqueToken("wws_")
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.SSOLoginCode.Create().SetTenantID(tenantID).SetCodeHash(hash).SetUserID(userID).
			SetBindingHash(st.BindingHash).SetCreatedAt(now).SetExpiresAt(now.Add(CodeTTL)).Exec(tctx); err != nil {
			return fmt.Errorf("store sso code: %w", err)
		}
		oneTime = token
		return nil
	})
	if err != nil {
		f, ok := err.(*failure)
		if !ok {
			s.log.ErrorContext(ctx, "sso callback", "err", err)
			f = fail(ErrReasonProvider, "internal: %v", err)
		}
		return "", auditFail(f, email)
	}
	return oneTime, nil
}

// match finds the user the ID token stands for in the tenant: the user
// linked to (issuer, subject); else an existing member or invitee with the
// token's verified email (then linked); else, when the email's domain is
// one of the configuration's and a default role is set, a new member
// (jit). An invitation is accepted on the way.
func (s *Service) match(ctx context.Context, tx *store.Tx, cfg *ent.SSOConfig, issuer, subject, email, name string) (uuid.UUID, bool, error) {
	var u *ent.User
	link, err := tx.UserIdentity.Query().Where(useridentity.Issuer(issuer), useridentity.Subject(subject)).Only(ctx)
	switch {
	case err == nil:
		if u, err = tx.User.Get(ctx, link.UserID); err != nil && !ent.IsNotFound(err) {
			return uuid.Nil, false, fmt.Errorf("find linked user: %w", err)
		}
	case !ent.IsNotFound(err):
		return uuid.Nil, false, fmt.Errorf("find sso link: %w", err)
	}
	gctx := bypass.Allow(ctx, "sso: find the account of an email the tenant's provider verified (users are global)")
	if u == nil {
		if u, err = tx.User.Query().Where(user.Email(email)).Only(gctx); err != nil && !ent.IsNotFound(err) {
			return uuid.Nil, false, fmt.Errorf("find user: %w", err)
		}
	}
	now := s.now()
	var m *ent.Membership
	if u != nil {
		if m, err = tx.Membership.Query().Where(membership.UserID(u.ID)).Only(ctx); err != nil && !ent.IsNotFound(err) {
			return uuid.Nil, false, fmt.Errorf("find membership: %w", err)
		}
	}
	jit := false
	switch {
	case m != nil && m.DisabledAt != nil:
		return uuid.Nil, false, fail(ErrReasonDisabled, "membership disabled")
	case m != nil && m.AcceptedAt == nil:
		// An invitee: signing in through the tenant's provider with the
		// invited address accepts the invitation.
		if err := tx.Membership.UpdateOne(m).ClearInvitationTokenHash().ClearInvitationExpiresAt().SetAcceptedAt(now).Exec(ctx); err != nil {
			return uuid.Nil, false, fmt.Errorf("accept invitation: %w", err)
		}
	case m == nil:
		domain := email[strings.LastIndex(email, "@")+1:]
		ok, err := tx.SSODomain.Query().Where(ssodomain.Domain(domain)).Exist(ctx)
		if err != nil {
			return uuid.Nil, false, fmt.Errorf("check domain: %w", err)
		}
		if !ok || cfg.DefaultRole == nil {
			return uuid.Nil, false, fail(ErrReasonNotAllowed, "%s is not a member and cannot join", email)
		}
		display := strings.TrimSpace(name)
		if display == "" || len(display) > 200 {
			display = email[:strings.Index(email, "@")]
		}
		if u == nil {
			if u, err = tx.User.Create().SetEmail(email).SetDisplayName(display).SetEmailVerifiedAt(now).Save(gctx); err != nil {
				return uuid.Nil, false, fmt.Errorf("create user: %w", err)
			}
		}
		if err := tx.Membership.Create().SetTenantID(cfg.TenantID).SetUserID(u.ID).SetRole(membership.Role(*cfg.DefaultRole)).
			SetDisplayName(display).SetAcceptedAt(now).Exec(ctx); err != nil {
			return uuid.Nil, false, fmt.Errorf("create membership: %w", err)
		}
		jit = true
	}
	if link == nil {
		if err := tx.UserIdentity.Create().SetTenantID(cfg.TenantID).SetUserID(u.ID).SetIssuer(issuer).SetSubject(subject).
			SetCreatedAt(now).Exec(ctx); err != nil {
			return uuid.Nil, false, fmt.Errorf("link sso identity: %w", err)
		}
	}
	return u.ID, jit, nil
}

var errBadCode = apperr.Unauthenticated("the sign-in code is invalid, used or expired; sign in again")

// Complete redeems a callback's one-time code with the browser binding
// whose hash was given to Start and issues a token pair (method sso),
// audited as auth.login.
func (s *Service) Complete(ctx context.Context, code, binding string) (*identity.Tokens, error) {
	if code == "" || len(code) > 200 {
		return nil, apperr.Invalid("code", "must be the code of the sign-in page's address")
	}
	if binding == "" || len(binding) > 200 {
		return nil, apperr.Invalid("browser_binding", "must be the value whose hash started the sign-in")
	}
	sctx := bypass.Allow(ctx, "sso: find the one-time code a browser redeems, before anyone is signed in")
	lc, err := s.st.Ent.SSOLoginCode.Query().Where(ssologincode.CodeHash(identity.HashToken(code))).Only(sctx)
	if ent.IsNotFound(err) {
		return nil, errBadCode
	}
	if err != nil {
		return nil, fmt.Errorf("find sso code: %w", err)
	}
	// Single use, whatever comes next.
	n, err := s.st.Ent.SSOLoginCode.Delete().Where(ssologincode.ID(lc.ID)).Exec(sctx)
	if err != nil {
		return nil, fmt.Errorf("spend sso code: %w", err)
	}
	tctx := bypass.AsTenant(ctx, lc.TenantID, "sso: sign in the user a redeemed one-time code names")
	u, err := s.st.Ent.User.Get(bypass.Allow(ctx, "sso: read the account a one-time code names"), lc.UserID)
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	failed := func(why string) error {
		if err := audit.RecordFor(ctx, s.st.Ent, lc.TenantID, audit.Actor{ID: u.ID, Name: u.Email}, audit.Event{
			Action: audit.LoginFailed, TargetKind: "user", TargetID: u.ID, TargetName: u.Email, Detail: "method sso: " + why,
		}); err != nil {
			return err
		}
		return errBadCode
	}
	if n == 0 {
		return nil, errBadCode
	}
	if !s.now().Before(lc.ExpiresAt) {
		return nil, failed("code expired")
	}
	if subtle.ConstantTimeCompare([]byte(HashBinding(binding)), []byte(lc.BindingHash)) != 1 {
		return nil, failed("browser binding mismatch")
	}
	m, err := s.st.Ent.Membership.Query().Where(membership.UserID(u.ID)).Only(tctx)
	if err != nil || m.DisabledAt != nil || m.AcceptedAt == nil {
		return nil, failed("no active membership")
	}
	var tok *identity.Tokens
	err = s.st.Tx(tctx, func(tx *store.Tx) error {
		// issue records the sign-in (auth.login, method=sso).
		var err error
		tok, err = s.ids.IssueSignInTx(tctx, tx, u.ID, lc.TenantID, identity.MethodSSO)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tok, nil
}
