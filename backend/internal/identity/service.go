// Package identity signs users up and in: argon2id passwords (with bounded
// concurrent hashing), short-lived EdDSA access tokens, rotated opaque
// refresh tokens with reuse detection, sign-in throttles per source address
// and per account, mailed email verification, invitations and password
// resets, and turning an access token into a viewer.
package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/refreshtoken"
	"github.com/wegweiser/wegweiser/ent/session"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Options configure a Service; the zero value (or nil) is the embedded
// default: throttles in this process, mail written to the log, public
// sign-up open.
type Options struct {
	// Limits are the sign-in throttles; nil counts in this process.
	Limits *Limits
	// Hasher bounds concurrent password hashing; nil sizes it from the
	// argon2 memory parameter.
	Hasher *Hasher
	// Mail delivers verification, invitation and reset mails; nil logs them.
	Mail mail.Sender
	// BaseURL is where users reach the dashboard; links in mails start
	// with it.
	BaseURL string
	// SignUpClosed turns public sign-up off (SignUp is permission_denied).
	SignUpClosed bool
	// SignInCheck, when set, is asked before any sign-in to a tenant
	// completes (method is one of the Method constants); an error refuses
	// the sign-in (e.g. a tenant that allows only single sign-on).
	SignInCheck func(ctx context.Context, userID, tenantID uuid.UUID, method string) error
	// AuthCache caches Authenticate's membership and session checks; nil
	// keeps them in this process (NewMemoryAuthCache).
	AuthCache AuthCache
}

// Service implements sign-up, login, token rotation and authentication.
type Service struct {
	st           *store.Store
	signer       *Signer
	limits       *Limits
	hasher       *Hasher
	mail         mail.Sender
	baseURL      string
	signUpClosed bool
	signInCheck  func(ctx context.Context, userID, tenantID uuid.UUID, method string) error
	cache        AuthCache
	factors      SecondFactors
	log          *slog.Logger
	now          func() time.Time
}

// NewService returns an identity service; opts may be nil.
func NewService(st *store.Store, signer *Signer, opts *Options, log *slog.Logger) *Service {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Limits == nil {
		o.Limits = MemoryLimits()
	}
	if o.Hasher == nil {
		o.Hasher = NewHasher(0, 0)
	}
	if o.Mail == nil {
		o.Mail = mail.Log{Log: log}
	}
	if o.AuthCache == nil {
		o.AuthCache = NewMemoryAuthCache()
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://localhost:8080"
	}
	return &Service{
		st:           st,
		signer:       signer,
		limits:       o.Limits,
		hasher:       o.Hasher,
		mail:         o.Mail,
		baseURL:      strings.TrimRight(o.BaseURL, "/"),
		signUpClosed: o.SignUpClosed,
		signInCheck:  o.SignInCheck,
		cache:        o.AuthCache,
		log:          log,
		now:          func() time.Time { return time.Now().UTC() },
	}
}

// SignUpOpen reports whether public sign-up is on.
func (s *Service) SignUpOpen() bool { return !s.signUpClosed }

// Signer returns the access-token signer.
func (s *Service) Signer() *Signer { return s.signer }

// Tokens is a freshly issued token pair.
type Tokens struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	TenantID         uuid.UUID
	UserID           uuid.UUID
	// FactorSetupPending: the tenant requires a second factor the user
	// has not set up; the session reaches only the factor setup.
	FactorSetupPending bool
	// SecondFactorRequired: the password was right but the user has a
	// second factor; no tokens yet, finish with SignInToken (see mfa).
	SecondFactorRequired bool
	SignInToken          string
	SecondFactors        []string
}

// SignUpInput is what SignUp needs.
type SignUpInput struct {
	TenantName, Email, Password, DisplayName string
}

// SignUpResult is the new tenant, its owner and their tokens.
type SignUpResult struct {
	Tenant     *ent.Tenant
	User       *ent.User
	Membership *ent.Membership
	Tokens     *Tokens
}

// SignUp creates a tenant with its owner, whose email counts as verified,
// in one transaction and logs the owner in. It is for trusted callers (the
// demo, `wegweiser admin create-tenant`); the public API uses Register.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*SignUpResult, error) {
	v, err := validSignUp(in)
	if err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	res, err := s.createTenant(ctx, v, hash, true)
	if err != nil {
		if ent.IsConstraintError(err) {
			return nil, apperr.AlreadyExists("an account with this email already exists; log in instead")
		}
		return nil, err
	}
	return res, nil
}

type signUp struct{ name, email, display, password string }

func validSignUp(in SignUpInput) (signUp, error) {
	name, err := validate.Name("tenant_name", in.TenantName)
	if err != nil {
		return signUp{}, err
	}
	email, err := validate.Email("email", in.Email)
	if err != nil {
		return signUp{}, err
	}
	if err := validate.Password("password", in.Password); err != nil {
		return signUp{}, err
	}
	display, err := displayName(in.DisplayName, email)
	if err != nil {
		return signUp{}, err
	}
	return signUp{name: name, email: email, display: display, password: in.Password}, nil
}

// createTenant creates tenant, owner and tokens; a taken email is an
// already-exists error (or ent's constraint error in a race).
func (s *Service) createTenant(ctx context.Context, in signUp, hash string, verified bool) (*SignUpResult, error) {
	res := &SignUpResult{}
	sctx := bypass.Allow(ctx, "sign-up: create a tenant with its owner and membership")
	err := s.st.Tx(sctx, func(tx *store.Tx) error {
		exists, err := tx.User.Query().Where(user.Email(in.email)).Exist(sctx)
		if err != nil {
			return fmt.Errorf("check email: %w", err)
		}
		if exists {
			return apperr.AlreadyExists("an account with this email already exists; log in instead")
		}
		t, err := tx.Tenant.Create().SetName(in.name).Save(sctx)
		if err != nil {
			return fmt.Errorf("create tenant: %w", err)
		}
		uc := tx.User.Create().SetEmail(in.email).SetDisplayName(in.display).SetPasswordHash(hash)
		if verified {
			uc.SetEmailVerifiedAt(s.now())
		}
		u, err := uc.Save(sctx)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		m, err := tx.Membership.Create().SetTenantID(t.ID).SetUserID(u.ID).SetRole(membership.RoleOwner).
			SetDisplayName(in.display).SetAcceptedAt(s.now()).Save(sctx)
		if err != nil {
			return fmt.Errorf("create membership: %w", err)
		}
		tok, err := s.issue(sctx, tx, u.ID, t.ID, uuid.New(), MethodSignUp)
		if err != nil {
			return err
		}
		res.Tenant, res.User, res.Membership, res.Tokens = t, u, m, tok
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "tenant signed up", "tenant_id", res.Tenant.ID, "user_id", res.User.ID)
	return res, nil
}

// Login checks email and password and issues tokens for one of the user's
// tenants (tenantID, or the oldest active membership when empty). addr is
// the caller's source address for the throttles (see Limits).
func (s *Service) Login(ctx context.Context, emailIn, password, tenantIDIn, addr string) (*Tokens, error) {
	email, err := validate.Email("email", emailIn)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, apperr.Invalid("password", "must not be empty")
	}
	if len(password) > 4*validate.MaxPasswordLen {
		return nil, apperr.Invalid("password", "is too long")
	}
	tenantID, err := validate.OptionalID("tenant_id", tenantIDIn)
	if err != nil {
		return nil, err
	}
	addrKey := ratelimit.Key("login-address", addr)
	if blocked, wait := s.limits.AddressFailures.Blocked(ctx, addrKey); blocked {
		return nil, apperr.ResourceExhausted(retrySeconds(wait), "too many failed logins from your address; try again later")
	}
	acct := ratelimit.Key("login-account", email)
	if slow, _ := s.limits.AccountFailures.Blocked(ctx, acct); slow {
		if busy, wait := s.limits.AccountAttempts.Blocked(ctx, acct); busy {
			s.limits.AddressFailures.Add(ctx, addrKey)
			return nil, apperr.ResourceExhausted(retrySeconds(wait), "many failed logins for this account: one attempt every %d seconds; try again shortly", int(AccountAttemptInterval.Seconds()))
		}
		s.limits.AccountAttempts.Add(ctx, acct)
	}
	failed := func(err error) error {
		s.limits.AccountFailures.Add(ctx, acct)
		s.limits.AddressFailures.Add(ctx, addrKey)
		return err
	}
	sctx := bypass.Allow(ctx, "sign-in: find the user by address and their memberships in every tenant")
	u, err := s.st.Ent.User.Query().Where(user.Email(email)).Only(sctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("find user: %w", err)
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := s.hasher.Check(ctx, hash, password)
	if err != nil {
		if apperr.Is(err, apperr.KindResourceExhausted) {
			return nil, err
		}
		return nil, fmt.Errorf("check password: %w", err)
	}
	if u == nil || u.PasswordHash == "" || !ok {
		if u != nil {
			s.RecordSignInFailure(ctx, u.ID, u.Email, "wrong password")
		}
		return nil, failed(apperr.Unauthenticated("wrong email or password"))
	}
	// The password was right: no membership is not a guess, so not counted.
	m, err := s.SignInMembership(ctx, u.ID, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.CheckSignIn(ctx, u.ID, m.TenantID, MethodPassword); err != nil {
		return nil, err
	}
	if s.factors != nil {
		kinds, err := s.factors.Kinds(sctx, u.ID)
		if err != nil {
			return nil, err
		}
		if len(kinds) > 0 {
			token, err := s.factors.StartAttempt(sctx, u.ID, m.TenantID)
			if err != nil {
				return nil, err
			}
			return &Tokens{SecondFactorRequired: true, SignInToken: token, SecondFactors: kinds, TenantID: m.TenantID, UserID: u.ID}, nil
		}
	}
	// The account's failure count is not reset: an attacker would get a
	// fresh burst of fast guesses after every login of the real user.
	var tok *Tokens
	err = s.st.Tx(sctx, func(tx *store.Tx) error {
		var err error
		tok, err = s.issue(sctx, tx, u.ID, m.TenantID, uuid.New(), MethodPassword)
		return err
	})
	return tok, err
}

// SignInMembership returns the active membership a sign-in of userID goes
// to: in tenantID, or the oldest when tenantID is uuid.Nil.
// unauthenticated when there is none.
func (s *Service) SignInMembership(ctx context.Context, userID, tenantID uuid.UUID) (*ent.Membership, error) {
	q := s.st.Ent.Membership.Query().Where(
		membership.UserID(userID), membership.DisabledAtIsNil(), membership.AcceptedAtNotNil(),
	).Order(ent.Asc(membership.FieldCreatedAt))
	if tenantID != uuid.Nil {
		q = q.Where(membership.TenantID(tenantID))
	}
	m, err := q.First(bypass.Allow(ctx, "sign-in: find the memberships of the user signing in, in every tenant"))
	if ent.IsNotFound(err) {
		return nil, apperr.Unauthenticated("this account has no active membership")
	}
	if err != nil {
		return nil, fmt.Errorf("find membership: %w", err)
	}
	return m, nil
}

// CheckSignIn asks the SignInCheck option (if any) whether userID may sign
// into tenantID with method.
func (s *Service) CheckSignIn(ctx context.Context, userID, tenantID uuid.UUID, method string) error {
	if s.signInCheck == nil {
		return nil
	}
	return s.signInCheck(ctx, userID, tenantID, method)
}

// InvalidateUser drops whatever is cached about userID's sessions and
// memberships, so the next request of any of them is checked afresh. Call
// it after every change that must take effect at once (role change,
// disabling, factor setup, revoking sessions), once the change is
// committed.
func (s *Service) InvalidateUser(ctx context.Context, userID uuid.UUID) {
	s.cache.InvalidateUser(ctx, userID)
}

// InvalidateSession drops whatever is cached about one session; call it
// once the change is committed.
func (s *Service) InvalidateSession(ctx context.Context, sessionID uuid.UUID) {
	s.cache.InvalidateSession(ctx, sessionID)
}

// Sign-in methods recorded on a session (Session.method).
const (
	MethodSignUp      = "signup"
	MethodPassword    = "password"
	MethodPasswordMFA = "password_mfa"
	MethodPasskey     = "passkey"
	MethodSSO         = "sso"
	MethodInvitation  = "invitation"
	// MethodRefresh continues an existing session (no new sign-in).
	MethodRefresh = ""
)

// issue creates a refresh token in family and signs an access token. A
// sign-in (method not MethodRefresh) starts the session family with the
// request's source (reqinfo); a refresh records its use.
func (s *Service) issue(ctx context.Context, tx *store.Tx, userID, tenantID, family uuid.UUID, method string) (*Tokens, error) {
	refresh, hash, err := NewOpaqueToken("wwr_")
	if err != nil {
		return nil, err
	}
	now := s.now()
	rexp := now.Add(RefreshTokenTTL)
	src := reqinfo.From(ctx)
	pending := false
	if method != MethodRefresh {
		if err := tx.Session.Create().SetID(family).SetTenantID(tenantID).SetUserID(userID).SetMethod(method).
			SetCreatedAt(now).SetAuthenticatedAt(now).SetLastUsedAt(now).SetExpiresAt(rexp).
			SetAddress(validate.Clip(src.Address, 64)).SetUserAgent(validate.Clip(src.UserAgent, 300)).
			Exec(ctx); err != nil {
			return nil, fmt.Errorf("store session: %w", err)
		}
		if pending, err = s.afterSignIn(ctx, tx, userID, tenantID, family, method); err != nil {
			return nil, err
		}
	} else {
		upd := tx.Session.Update().Where(session.ID(family), session.TenantID(tenantID)).
			SetLastUsedAt(now).SetExpiresAt(rexp)
		if src.Address != "" {
			upd.SetAddress(validate.Clip(src.Address, 64)).SetUserAgent(validate.Clip(src.UserAgent, 300))
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, fmt.Errorf("record session use: %w", err)
		}
	}
	if _, err := tx.RefreshToken.Create().
		SetTenantID(tenantID).SetUserID(userID).SetFamilyID(family).
		SetTokenHash(hash).SetCreatedAt(now).SetExpiresAt(rexp).
		Save(ctx); err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	access, aexp, err := s.signer.Issue(userID, tenantID, family)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, AccessExpiresAt: aexp, RefreshToken: refresh, RefreshExpiresAt: rexp, TenantID: tenantID, UserID: userID, FactorSetupPending: pending}, nil
}

var errInvalidRefresh = apperr.Unauthenticated("refresh token is invalid, expired or revoked; log in again")

// Refresh rotates a refresh token. Presenting a token that was already used
// revokes its whole family: someone else may hold a copy.
func (s *Service) Refresh(ctx context.Context, token, addr string) (*Tokens, error) {
	if token == "" {
		return nil, apperr.Invalid("refresh_token", "must not be empty")
	}
	if err := admitAddress(ctx, s.limits.AddressRefresh, "refresh-address", addr, "token refreshes"); err != nil {
		return nil, err
	}
	sctx := bypass.Allow(ctx, "identity: find a refresh token by its hash")
	rt, err := s.st.Ent.RefreshToken.Query().Where(refreshtoken.TokenHash(HashToken(token))).Only(sctx)
	if ent.IsNotFound(err) {
		return nil, errInvalidRefresh
	}
	if err != nil {
		return nil, fmt.Errorf("find refresh token: %w", err)
	}
	now := s.now()
	if rt.RevokedAt != nil || !now.Before(rt.ExpiresAt) {
		return nil, errInvalidRefresh
	}
	if rt.UsedAt != nil {
		return nil, s.reuseDetected(ctx, rt)
	}
	if err := s.checkMembership(sctx, rt.UserID, rt.TenantID); err != nil {
		return nil, err
	}
	var tok *Tokens
	reused := false
	err = s.st.Tx(sctx, func(tx *store.Tx) error {
		n, err := tx.RefreshToken.Update().
			Where(refreshtoken.ID(rt.ID), refreshtoken.UsedAtIsNil(), refreshtoken.RevokedAtIsNil()).
			SetUsedAt(now).Save(sctx)
		if err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		if n == 0 {
			reused = true
			return errInvalidRefresh
		}
		tok, err = s.issue(sctx, tx, rt.UserID, rt.TenantID, rt.FamilyID, MethodRefresh)
		return err
	})
	if reused {
		return nil, s.reuseDetected(ctx, rt)
	}
	return tok, err
}

func (s *Service) reuseDetected(ctx context.Context, rt *ent.RefreshToken) error {
	s.log.WarnContext(ctx, "refresh token reused; revoking its session", "tenant_id", rt.TenantID, "user_id", rt.UserID, "session_id", rt.FamilyID)
	if err := s.revokeFamily(ctx, rt.TenantID, rt.FamilyID, nil); err != nil {
		return err
	}
	return errInvalidRefresh
}

// revokeFamily ends one session (its refresh tokens and its row) and, in
// the same transaction, runs record (an audit event) when set.
func (s *Service) revokeFamily(ctx context.Context, tenantID, family uuid.UUID, record func(tx *store.Tx) error) error {
	sctx := bypass.Allow(ctx, "identity: revoke a refresh-token family")
	defer s.InvalidateSession(ctx, family)
	return s.st.Tx(sctx, func(tx *store.Tx) error {
		if _, err := tx.RefreshToken.Update().
			Where(refreshtoken.TenantID(tenantID), refreshtoken.FamilyID(family), refreshtoken.RevokedAtIsNil()).
			SetRevokedAt(s.now()).Save(sctx); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		if _, err := tx.Session.Update().Where(session.TenantID(tenantID), session.ID(family), session.RevokedAtIsNil()).
			SetRevokedAt(s.now()).Save(sctx); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		if record != nil {
			return record(tx)
		}
		return nil
	})
}

// RevokeUser ends every session of a user in a tenant, in the caller's
// transaction; the caller calls InvalidateUser once it is committed.
func (s *Service) RevokeUser(ctx context.Context, tx *store.Tx, tenantID, userID uuid.UUID) error {
	sctx := bypass.Allow(ctx, "identity: revoke a member's sessions in a tenant")
	if _, err := tx.RefreshToken.Update().
		Where(refreshtoken.TenantID(tenantID), refreshtoken.UserID(userID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(s.now()).Save(sctx); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	if _, err := tx.Session.Update().Where(session.TenantID(tenantID), session.UserID(userID), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).Save(sctx); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// Logout revokes the session of refreshToken and, when v is set, the
// session the caller is authenticated with, recording auth.logout for each.
func (s *Service) Logout(ctx context.Context, refreshToken string, v *viewer.Viewer) error {
	if refreshToken == "" && v == nil {
		return apperr.Invalid("refresh_token", "is required without an access token")
	}
	type ended struct{ tenantID, userID, family uuid.UUID }
	var end []ended
	if refreshToken != "" {
		rt, err := s.st.Ent.RefreshToken.Query().Where(refreshtoken.TokenHash(HashToken(refreshToken))).Only(bypass.Allow(ctx, "identity: find the refresh token being signed out"))
		switch {
		case ent.IsNotFound(err):
			if v == nil {
				return errInvalidRefresh
			}
		case err != nil:
			return fmt.Errorf("find refresh token: %w", err)
		default:
			end = append(end, ended{rt.TenantID, rt.UserID, rt.FamilyID})
		}
	}
	if v != nil && v.SessionID != uuid.Nil && (len(end) == 0 || end[0].family != v.SessionID) {
		end = append(end, ended{v.TenantID, v.UserID, v.SessionID})
	}
	for _, e := range end {
		if err := s.revokeFamily(ctx, e.tenantID, e.family, func(tx *store.Tx) error {
			return s.recordSessionEvent(ctx, tx, e.tenantID, e.userID, audit.Event{
				Action: audit.Logout, TargetKind: "session", TargetID: e.family, TargetName: "signed out",
			})
		}); err != nil {
			return err
		}
	}
	return nil
}

// checkMembership fails unless the user is an active member of the tenant.
func (s *Service) checkMembership(ctx context.Context, userID, tenantID uuid.UUID) error {
	_, err := s.activeMembership(ctx, userID, tenantID)
	return err
}

func (s *Service) activeMembership(ctx context.Context, userID, tenantID uuid.UUID) (*ent.Membership, error) {
	m, err := s.st.Ent.Membership.Query().Where(membership.TenantID(tenantID), membership.UserID(userID)).Only(bypass.Allow(ctx, "identity: read the membership a token names"))
	if ent.IsNotFound(err) {
		return nil, apperr.Unauthenticated("membership not found")
	}
	if err != nil {
		return nil, fmt.Errorf("find membership: %w", err)
	}
	if m.DisabledAt != nil {
		return nil, apperr.Unauthenticated("this account is disabled")
	}
	if m.AcceptedAt == nil {
		return nil, apperr.Unauthenticated("invitation not accepted")
	}
	return m, nil
}

// Authenticate verifies an access token and returns the viewer it stands
// for. The session must still be live and the membership active, so logout
// and disabling take effect at once. The checks are cached (AuthCache)
// until invalidated or AuthCacheTTL; the session's last use is written at
// most once per LastUseInterval.
func (s *Service) Authenticate(ctx context.Context, token string) (*viewer.Viewer, error) {
	claims, err := s.signer.Verify(token)
	if err != nil {
		return nil, apperr.Unauthenticated("invalid access token")
	}
	userID, err1 := uuid.Parse(claims.Subject)
	tenantID, err2 := uuid.Parse(claims.TenantID)
	sessionID, err3 := uuid.Parse(claims.SessionID)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, apperr.Unauthenticated("invalid access token")
	}
	now := s.now()
	e, ok, stamp, usable := s.cache.get(ctx, userID, sessionID)
	if !ok || e.TenantID != tenantID || now.Unix() >= e.Expires {
		if e, err = s.loadAuth(ctx, userID, tenantID, sessionID); err != nil {
			return nil, err
		}
		e.Stamp = stamp
		if usable {
			s.cache.put(ctx, sessionID, e)
		}
	}
	if now.Sub(time.Unix(e.LastUse, 0)) >= LastUseInterval {
		if err := s.recordUse(ctx, tenantID, sessionID, now); err != nil {
			return nil, err
		}
		e.LastUse, e.Stamp = now.Unix(), stamp
		if usable {
			s.cache.put(ctx, sessionID, e)
		}
	}
	return &viewer.Viewer{
		UserID:                   userID,
		TenantID:                 tenantID,
		Role:                     viewer.Role(e.Role),
		OrganisationIDs:          e.Orgs,
		SessionID:                sessionID,
		SecondFactorSetupPending: e.Pending,
	}, nil
}

// loadAuth reads what Authenticate checks from the database: an active
// membership and a live session.
func (s *Service) loadAuth(ctx context.Context, userID, tenantID, sessionID uuid.UUID) (authEntry, error) {
	m, err := s.activeMembership(ctx, userID, tenantID)
	if err != nil {
		return authEntry{}, err
	}
	sess, err := s.st.Ent.Session.Query().Where(
		session.ID(sessionID), session.TenantID(tenantID), session.UserID(userID),
		session.RevokedAtIsNil(), session.ExpiresAtGT(s.now()),
	).Only(bypass.Allow(ctx, "identity: check that an access token's session is live"))
	if ent.IsNotFound(err) {
		return authEntry{}, apperr.Unauthenticated("session has ended; log in again")
	}
	if err != nil {
		return authEntry{}, fmt.Errorf("check session: %w", err)
	}
	return authEntry{
		UserID: userID, TenantID: tenantID, Role: string(m.Role), Orgs: m.OrganisationIds,
		Pending: sess.FactorSetupPending, Expires: sess.ExpiresAt.Unix(), LastUse: sess.LastUsedAt.Unix(),
	}, nil
}

// recordUse writes a session's last use. A session revoked meanwhile is
// refused: its revocation has been committed, so this request must not
// pass.
func (s *Service) recordUse(ctx context.Context, tenantID, sessionID uuid.UUID, now time.Time) error {
	n, err := s.st.Ent.Session.Update().
		Where(session.ID(sessionID), session.TenantID(tenantID), session.RevokedAtIsNil()).
		SetLastUsedAt(now).
		Save(bypass.Allow(ctx, "identity: record when an access token's session was last used"))
	if err != nil {
		return fmt.Errorf("record session use: %w", err)
	}
	if n == 0 {
		return apperr.Unauthenticated("session has ended; log in again")
	}
	return nil
}

// AcceptInvitation activates a pending membership. The token was mailed
// to the invited address, so using it proves control of the address: the
// email counts as verified. An address without a verified account sets its
// password here (any password set before, e.g. by someone who signed up
// with the address without controlling it, is replaced and its sessions
// end); an existing verified account only gains the membership, its
// password is left alone. display is the name shown in this tenant.
func (s *Service) AcceptInvitation(ctx context.Context, token, password, display, addr string) (*Tokens, error) {
	if token == "" {
		return nil, apperr.Invalid("invitation_token", "must not be empty")
	}
	if err := admitAddress(ctx, s.limits.AddressTokens, "token-address", addr, "token uses"); err != nil {
		return nil, err
	}
	sctx := bypass.Allow(ctx, "invitation: find the invitation and its user across tenants")
	m, err := s.st.Ent.Membership.Query().Where(membership.InvitationTokenHash(HashToken(token))).WithUser().Only(sctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	now := s.now()
	if m.InvitationExpiresAt == nil || !now.Before(*m.InvitationExpiresAt) {
		return nil, apperr.FailedPrecondition("invitation has expired; ask for a new one")
	}
	u := m.Edges.User
	setPassword := u.PasswordHash == "" || u.EmailVerifiedAt == nil
	var newHash string
	if setPassword {
		if err := validate.Password("password", password); err != nil {
			return nil, err
		}
		if newHash, err = s.hasher.Hash(ctx, password); err != nil {
			return nil, err
		}
	}
	display = strings.TrimSpace(display)
	if display != "" {
		if display, err = validate.Name("display_name", display); err != nil {
			return nil, err
		}
	}
	var tok *Tokens
	err = s.st.Tx(sctx, func(tx *store.Tx) error {
		upd := tx.Membership.Update().
			Where(membership.ID(m.ID), membership.InvitationTokenHash(HashToken(token))).
			ClearInvitationTokenHash().ClearInvitationExpiresAt().SetAcceptedAt(now)
		if display != "" {
			upd.SetDisplayName(display)
		}
		n, err := upd.Save(sctx)
		if err != nil {
			return fmt.Errorf("accept invitation: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("invitation")
		}
		uu := tx.User.UpdateOneID(u.ID)
		if u.EmailVerifiedAt == nil {
			uu.SetEmailVerifiedAt(now).ClearVerifyTokenHash().ClearVerifyExpiresAt()
		}
		if setPassword {
			uu.SetPasswordHash(newHash)
			if u.PasswordHash != "" {
				if err := s.revokeAll(sctx, tx, u.ID); err != nil {
					return err
				}
			}
		}
		if err := uu.Exec(sctx); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if err := audit.RecordFor(ctx, tx.Client, m.TenantID, audit.Actor{ID: u.ID, Name: u.Email}, audit.Event{
			Action: audit.UserAccept, TargetKind: "user", TargetID: u.ID, TargetName: u.Email, Detail: "as " + string(m.Role),
		}); err != nil {
			return err
		}
		tok, err = s.issue(sctx, tx, u.ID, m.TenantID, uuid.New(), MethodInvitation)
		return err
	})
	if err == nil && setPassword && u.PasswordHash != "" {
		s.InvalidateUser(ctx, u.ID) // the replaced password's sessions ended
	}
	return tok, err
}

// revokeAll ends every session of a user in every tenant.
func (s *Service) revokeAll(ctx context.Context, tx *store.Tx, userID uuid.UUID) error {
	sctx := bypass.Allow(ctx, "identity: revoke a user's sessions in every tenant")
	if _, err := tx.RefreshToken.Update().
		Where(refreshtoken.UserID(userID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(s.now()).Save(sctx); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	if _, err := tx.Session.Update().Where(session.UserID(userID), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).Save(sctx); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

func displayName(in, email string) (string, error) {
	in = strings.TrimSpace(in)
	if in == "" {
		return email[:strings.Index(email, "@")], nil
	}
	return validate.Name("display_name", in)
}
