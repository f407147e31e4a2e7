// Package apikey manages the tenant's API keys: long-lived credentials of
// one member for integrations and AI clients. A key acts with its own role
// and organisation scope, never above what its creator may grant; only the
// SHA-256 of its secret is stored. A bearer token starting with Prefix is a
// key: Authenticate turns it into the key's viewer, counts it against the
// key's request rate limit and records its use (at most once a minute).
package apikey

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/apikey"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/organisation"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Limits and intervals.
const (
	// Prefix starts every key's secret, so a leaked key is recognisable.
	Prefix = "wwk_"
	// PrefixLen is how much of the secret is kept and shown ("wwk_" and
	// eight more characters).
	PrefixLen = len(Prefix) + 8
	// secretLen is the length of a secret: Prefix and 32 random bytes in
	// unpadded base64url.
	secretLen = len(Prefix) + 43
	// MaxNameLen bounds a key's name (characters).
	MaxNameLen = 100
	// MaxLifetime bounds how far ahead a key's expiry may be.
	MaxLifetime = 2 * 365 * 24 * time.Hour
	// UseInterval is how often a key's last use (and an apikey.use audit
	// event) is written at most.
	UseInterval = time.Minute
	// DefaultRateLimit is the default number of requests per RateWindow
	// one key may make.
	DefaultRateLimit = 600
	// RateWindow is the window of the per-key rate limit.
	RateWindow = time.Minute
	// MaxOrganisations bounds a key's organisation scope.
	MaxOrganisations = 1000
)

// TargetKind is the audit target kind of a key.
const TargetKind = "api_key"

// Service creates, lists, revokes and authenticates API keys.
type Service struct {
	st      *store.Store
	limiter ratelimit.Limiter
	limit   int
	log     *slog.Logger
	now     func() time.Time
}

// NewService returns the service. limiter counts requests per key within
// RateWindow (see NewLimiter); limit is its per-key limit, for the
// messages.
func NewService(st *store.Store, limiter ratelimit.Limiter, limit int, log *slog.Logger) *Service {
	return &Service{st: st, limiter: limiter, limit: limit, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// MemoryLimiter returns a per-key limiter of limit requests per RateWindow
// counted in this process (DefaultRateLimit when limit is 0).
func MemoryLimiter(limit int) ratelimit.Limiter {
	return ratelimit.Memory{Window: ratelimit.NewWindow(RateLimit(limit), RateWindow)}
}

// RateLimit is the per-key limit for a configured value: DefaultRateLimit
// for 0.
func RateLimit(configured int) int {
	if configured <= 0 {
		return DefaultRateLimit
	}
	return configured
}

// IsKey reports whether a bearer token is meant as an API key.
func IsKey(token string) bool { return strings.HasPrefix(token, Prefix) }

// Key is a key with the email of its creator.
type Key struct {
	*ent.APIKey
	// CreatedBy is the creator's email ("" when the creator is gone).
	CreatedBy string
}

// CreateInput describes a new key.
type CreateInput struct {
	Name            string
	Role            viewer.Role
	OrganisationIDs []uuid.UUID
	// ExpiresAt is optional: nil never expires.
	ExpiresAt *time.Time
}

// Create makes a key for the viewer and returns it with its secret, which
// is never available again. The role may not be above the viewer's (and
// only owners make owner keys); customers need an organisation scope,
// technicians may have one, other roles none; every organisation must be
// the tenant's.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Key, string, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == uuid.Nil || v.APIKeyID != uuid.Nil {
		return nil, "", apperr.PermissionDenied("only a signed-in member can create API keys")
	}
	name, err := validate.Name("name", in.Name)
	if err != nil {
		return nil, "", err
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return nil, "", apperr.Invalid("name", "must be at most %d characters", MaxNameLen)
	}
	if err := checkGrant(v, in.Role, in.OrganisationIDs); err != nil {
		return nil, "", err
	}
	now := s.now()
	if in.ExpiresAt != nil {
		switch {
		case !in.ExpiresAt.After(now):
			return nil, "", apperr.Invalid("expire_time", "must be in the future")
		case in.ExpiresAt.After(now.Add(MaxLifetime)):
			return nil, "", apperr.Invalid("expire_time", "must be at most two years ahead")
		}
		t := in.ExpiresAt.UTC()
		in.ExpiresAt = &t
	}
	secret, hash, err := identity.NewOpaqueToken(Prefix)
	if err != nil {
		return nil, "", err
	}
	orgs := in.OrganisationIDs
	if orgs == nil {
		orgs = []uuid.UUID{}
	}
	var key *ent.APIKey
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if len(orgs) > 0 {
			n, err := tx.Organisation.Query().Where(organisation.IDIn(orgs...)).Count(ctx)
			if err != nil {
				return fmt.Errorf("check organisations: %w", err)
			}
			if n != len(orgs) {
				return apperr.NotFound("organisation")
			}
		}
		key, err = tx.APIKey.Create().SetTenantID(v.TenantID).SetName(name).SetPrefix(secret[:PrefixLen]).
			SetSecretHash(hash).SetRole(apikey.Role(in.Role)).SetOrganisationIds(orgs).SetCreatedBy(v.UserID).
			SetCreatedAt(now).SetNillableExpiresAt(in.ExpiresAt).Save(ctx)
		if err != nil {
			return fmt.Errorf("create API key: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.APIKeyCreate, TargetKind: TargetKind, TargetID: key.ID, TargetName: key.Name,
			Detail: fmt.Sprintf("prefix %s, role %s%s", key.Prefix, key.Role, scopeDetail(orgs)),
		})
	})
	if err != nil {
		return nil, "", err
	}
	keys, err := s.withCreators(ctx, []*ent.APIKey{key})
	if err != nil {
		return nil, "", err
	}
	return keys[0], secret, nil
}

func scopeDetail(orgs []uuid.UUID) string {
	if len(orgs) == 0 {
		return ""
	}
	return fmt.Sprintf(", limited to %d organisation(s)", len(orgs))
}

// checkGrant checks that v may give a key role with scope orgIDs (the
// rules of invitations).
func checkGrant(v *viewer.Viewer, role viewer.Role, orgIDs []uuid.UUID) error {
	if !role.Valid() {
		return apperr.Invalid("role", "must be one of owner, admin, technician, viewer, customer")
	}
	if !mayGrant(v.Role, role) {
		return apperr.PermissionDenied("a %s cannot create a key with the %s role", v.Role, role)
	}
	switch {
	case role == viewer.RoleCustomer && len(orgIDs) == 0:
		return apperr.Invalid("organisation_ids", "customer keys must be limited to at least one organisation")
	case !role.Scoped() && len(orgIDs) > 0:
		return apperr.Invalid("organisation_ids", "only technician and customer keys can be limited to organisations")
	case len(orgIDs) > MaxOrganisations:
		return apperr.Invalid("organisation_ids", "at most %d organisations", MaxOrganisations)
	}
	if v.Scoped() {
		// A scoped creator (none can manage keys today) would pass on only
		// their own organisations.
		if len(orgIDs) == 0 {
			return apperr.PermissionDenied("a key of a member limited to organisations must be limited too")
		}
		for _, id := range orgIDs {
			if !v.CanSeeOrganisation(id) {
				return apperr.NotFound("organisation")
			}
		}
	}
	return nil
}

// rank orders roles: a higher rank may do more.
func rank(r viewer.Role) int {
	i := slices.Index(viewer.Roles, r)
	if i < 0 {
		return -1
	}
	return len(viewer.Roles) - i
}

// mayGrant reports whether a member with role creator may create (and
// keep using) a key with role key: owners any, admins anything below
// owner, nobody above their own role.
func mayGrant(creator, key viewer.Role) bool {
	if key == viewer.RoleOwner {
		return creator == viewer.RoleOwner
	}
	return rank(creator) >= rank(key)
}

// List returns one page of the tenant's keys, newest first, revoked and
// expired ones included.
func (s *Service) List(ctx context.Context, pageSize int, token string) ([]*Key, string, error) {
	const filter = "api_keys"
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	q := s.st.Ent.APIKey.Query()
	if cur != nil {
		id, err1 := uuid.Parse(cur.ID)
		at, err2 := time.Parse(time.RFC3339Nano, cur.Key)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(apikey.FieldCreatedAt, apikey.FieldID, at, id, true))
	}
	rows, err := q.Order(ent.Desc(apikey.FieldCreatedAt), ent.Desc(apikey.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list API keys: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.CreatedAt.UTC().Format(time.RFC3339Nano), ID: last.ID.String(), Filter: filter})
	}
	keys, err := s.withCreators(ctx, rows)
	if err != nil {
		return nil, "", err
	}
	return keys, next, nil
}

// withCreators adds the creators' emails.
func (s *Service) withCreators(ctx context.Context, rows []*ent.APIKey) ([]*Key, error) {
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.CreatedBy)
	}
	users, err := s.st.Ent.User.Query().Where(user.IDIn(ids...)).Select(user.FieldID, user.FieldEmail).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("find key creators: %w", err)
	}
	emails := make(map[uuid.UUID]string, len(users))
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	out := make([]*Key, 0, len(rows))
	for _, r := range rows {
		out = append(out, &Key{APIKey: r, CreatedBy: emails[r.CreatedBy]})
	}
	return out, nil
}

// Revoke stops a key at once. Revoking a revoked key changes nothing and
// answers the key as it is (no second audit event). Admins may revoke any
// key of the tenant, owner keys included: revoking only takes power away.
func (s *Service) Revoke(ctx context.Context, id uuid.UUID) (*Key, error) {
	var key *ent.APIKey
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		k, err := tx.APIKey.Get(ctx, id)
		if err != nil {
			return apperr.NotFoundIf(err, "API key")
		}
		if k.RevokedAt != nil {
			key = k
			return nil
		}
		n, err := tx.APIKey.Update().Where(apikey.ID(id), apikey.RevokedAtIsNil()).SetRevokedAt(s.now()).Save(ctx)
		if err != nil {
			return fmt.Errorf("revoke API key: %w", err)
		}
		if key, err = tx.APIKey.Get(ctx, id); err != nil {
			return apperr.NotFoundIf(err, "API key")
		}
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.APIKeyRevoke, TargetKind: TargetKind, TargetID: key.ID, TargetName: key.Name,
			Detail: "prefix " + key.Prefix,
		})
	})
	if err != nil {
		return nil, err
	}
	keys, err := s.withCreators(ctx, []*ent.APIKey{key})
	if err != nil {
		return nil, err
	}
	return keys[0], nil
}

var errInvalid = apperr.Unauthenticated("invalid, expired or revoked API key")

// Authenticate turns a key's secret into the key's viewer: its tenant,
// role and organisation scope, UserID its creator and APIKeyID the key.
// A key that is unknown, revoked or expired, or whose creator is no longer
// an active member allowed to grant its role, is unauthenticated. Each
// request counts against the key's rate limit (resource_exhausted with the
// seconds to wait past it); the key's last use (time, address) and an
// apikey.use audit event are written at most once per UseInterval.
func (s *Service) Authenticate(ctx context.Context, token string) (*viewer.Viewer, error) {
	if len(token) != secretLen || !IsKey(token) {
		return nil, errInvalid
	}
	hash := identity.HashToken(token)
	limitKey := ratelimit.Key("apikey", hash)
	if blocked, wait := s.limiter.Blocked(ctx, limitKey); blocked {
		return nil, apperr.ResourceExhausted(max(1, int(math.Ceil(wait.Seconds()))),
			"this API key made more than %d requests a minute; slow down", s.limit)
	}
	k, err := s.st.Ent.APIKey.Query().Where(apikey.SecretHash(hash)).
		Only(bypass.Allow(ctx, "apikey: find the API key a bearer token names"))
	if ent.IsNotFound(err) {
		return nil, errInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("find API key: %w", err)
	}
	now := s.now()
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !now.Before(*k.ExpiresAt)) {
		return nil, errInvalid
	}
	v := &viewer.Viewer{
		UserID: k.CreatedBy, TenantID: k.TenantID, Role: viewer.Role(k.Role),
		OrganisationIDs: k.OrganisationIds, APIKeyID: k.ID,
	}
	vctx := viewer.NewContext(ctx, v)
	m, err := s.st.Ent.Membership.Query().Where(membership.UserID(k.CreatedBy)).Only(vctx)
	if ent.IsNotFound(err) {
		return nil, apperr.Unauthenticated("the member who created this API key has left the tenant")
	}
	if err != nil {
		return nil, fmt.Errorf("find the key's creator: %w", err)
	}
	creator := viewer.Role(m.Role)
	if m.DisabledAt != nil || m.AcceptedAt == nil {
		return nil, apperr.Unauthenticated("the member who created this API key is disabled")
	}
	if (creator != viewer.RoleOwner && creator != viewer.RoleAdmin) || !mayGrant(creator, v.Role) {
		return nil, apperr.Unauthenticated("the member who created this API key may no longer grant its role")
	}
	s.limiter.Add(ctx, limitKey)
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= UseInterval {
		s.recordUse(vctx, k, now)
	}
	return v, nil
}

// recordUse writes the key's last use and an apikey.use event, unless
// another request (of any process) did so within UseInterval. A failure is
// logged: bookkeeping never fails the request.
func (s *Service) recordUse(ctx context.Context, k *ent.APIKey, now time.Time) {
	addr := validate.Clip(reqinfo.From(ctx).Address, 64)
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		n, err := tx.APIKey.Update().Where(apikey.ID(k.ID),
			apikey.Or(apikey.LastUsedAtIsNil(), apikey.LastUsedAtLTE(now.Add(-UseInterval)))).
			SetLastUsedAt(now).SetLastUsedAddress(addr).Save(ctx)
		if err != nil || n == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.APIKeyUse, TargetKind: TargetKind, TargetID: k.ID, TargetName: k.Name, Detail: "prefix " + k.Prefix,
		})
	})
	if err != nil {
		s.log.WarnContext(ctx, "record API key use", "key", k.ID, "error", err)
	}
}

// TokenAuthenticator turns a bearer token into a viewer.
type TokenAuthenticator interface {
	Authenticate(ctx context.Context, token string) (*viewer.Viewer, error)
}

// Authenticator sends bearer tokens that start with Prefix to Keys and
// every other token to Sessions (the members' access tokens).
type Authenticator struct {
	Keys     *Service
	Sessions TokenAuthenticator
}

// Authenticate implements the API's Authenticator.
func (a Authenticator) Authenticate(ctx context.Context, token string) (*viewer.Viewer, error) {
	if IsKey(token) {
		return a.Keys.Authenticate(ctx, token)
	}
	return a.Sessions.Authenticate(ctx, token)
}
