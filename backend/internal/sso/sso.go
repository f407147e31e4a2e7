// Package sso signs members in through their tenant's OpenID Connect
// provider (Microsoft Entra ID, Google Workspace, Keycloak, any provider
// with discovery): the owner's configuration (issuer, client, email
// domains, just-in-time role, SSO-only), the authorization-code flow with
// PKCE (S256), state and nonce, the provider's callback that turns a
// verified ID token into a one-time code, and the exchange of that code,
// bound to the browser that started, for a token pair.
package sso

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/ssoconfig"
	"github.com/wegweiser/wegweiser/ent/ssodomain"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Lifetimes of the flow's one-time values.
const (
	// StateTTL is how long a started sign-in waits for the provider.
	StateTTL = 10 * time.Minute
	// CodeTTL is how long the dashboard has to redeem the callback's code.
	CodeTTL = time.Minute
	// CallbackPath is where the provider sends the browser back.
	CallbackPath = "/auth/oidc/callback"
	// LoginPath is the dashboard page the callback redirects to.
	LoginPath = "/login/sso"
)

// Config is a tenant's single sign-on configuration as the API sees it;
// the secret is never read back (SecretSet says whether one is stored).
type Config struct {
	IssuerURL    string
	ClientID     string
	ClientSecret string
	SecretSet    bool
	Domains      []string
	// DefaultRole is the role of members created at first sign-in; empty
	// for none.
	DefaultRole viewer.Role
	SSOOnly     bool
	Enabled     bool
	RedirectURL string
	UpdatedAt   time.Time
}

// Service keeps the configurations and runs the sign-in flow.
type Service struct {
	st        *store.Store
	box       *secrets.Box
	ids       *identity.Service
	publicURL string
	client    *http.Client
	log       *slog.Logger
	now       func() time.Time
	starts    *ratelimit.Window

	mu        sync.Mutex
	providers map[string]cachedProvider
}

type cachedProvider struct {
	p       *oidc.Provider
	fetched time.Time
}

// providerTTL is how long a fetched discovery document (and the key set it
// names, which go-oidc refreshes on an unknown key id) is reused.
const providerTTL = 10 * time.Minute

// New returns the service. publicURL is where users reach the dashboard
// (the redirect URL starts with it); client reaches the providers (nil: an
// HTTP client that refuses link-local and other special addresses but
// allows loopback and private ones, see Dialer).
func New(st *store.Store, box *secrets.Box, ids *identity.Service, publicURL string, client *http.Client, log *slog.Logger) *Service {
	if client == nil {
		client = &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{
				Proxy: http.ProxyFromEnvironment, DialContext: Dialer().DialContext,
				TLSHandshakeTimeout: 5 * time.Second, ForceAttemptHTTP2: true,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Service{
		st: st, box: box, ids: ids, publicURL: strings.TrimRight(publicURL, "/"), client: client, log: log,
		now:       func() time.Time { return time.Now().UTC() },
		starts:    ratelimit.NewWindow(StartsPerMinute, time.Minute),
		providers: map[string]cachedProvider{},
	}
}

// StartsPerMinute bounds StartSingleSignOn calls per source address.
const StartsPerMinute = 30

// RedirectURL is the redirect URI to register at the provider.
func (s *Service) RedirectURL() string { return s.publicURL + CallbackPath }

func (s *Service) secretAAD(tenantID uuid.UUID) []byte {
	return []byte("sso-client-secret:" + tenantID.String())
}

// Get returns the viewer's tenant's configuration; not_found when none.
func (s *Service) Get(ctx context.Context) (*Config, error) {
	c, err := s.st.Ent.SSOConfig.Query().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("single sign-on configuration")
	}
	if err != nil {
		return nil, fmt.Errorf("read sso config: %w", err)
	}
	doms, err := s.st.Ent.SSODomain.Query().Where(ssodomain.TenantID(c.TenantID)).Order(ent.Asc(ssodomain.FieldDomain)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sso domains: %w", err)
	}
	return s.view(c, doms), nil
}

func (s *Service) view(c *ent.SSOConfig, doms []*ent.SSODomain) *Config {
	out := &Config{
		IssuerURL: c.IssuerURL, ClientID: c.ClientID, SecretSet: c.ClientSecretEncrypted != nil,
		SSOOnly: c.SSOOnly, Enabled: c.Enabled, RedirectURL: s.RedirectURL(), UpdatedAt: c.UpdatedAt,
		Domains: []string{},
	}
	if c.DefaultRole != nil {
		out.DefaultRole = viewer.Role(*c.DefaultRole)
	}
	for _, d := range doms {
		out.Domains = append(out.Domains, d.Domain)
	}
	return out
}

// MaxDomains bounds the domains of one configuration.
const MaxDomains = 50

// Update validates in, fetches the issuer's discovery document and stores
// the configuration of the viewer's tenant (an empty ClientSecret keeps
// the stored one), audited as sso.config_update.
func (s *Service) Update(ctx context.Context, in Config) (*Config, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, apperr.PermissionDenied("no viewer")
	}
	issuer, err := ValidIssuer(in.IssuerURL)
	if err != nil {
		return nil, err
	}
	clientID := strings.TrimSpace(in.ClientID)
	if clientID == "" || len(clientID) > 500 {
		return nil, apperr.Invalid("config.client_id", "must be 1 to 500 characters")
	}
	if len(in.ClientSecret) > 2000 {
		return nil, apperr.Invalid("config.client_secret", "must be at most 2000 characters")
	}
	domains, err := validDomains(in.Domains)
	if err != nil {
		return nil, err
	}
	var role *ssoconfig.DefaultRole
	switch in.DefaultRole {
	case "":
	case viewer.RoleAdmin, viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer:
		r := ssoconfig.DefaultRole(in.DefaultRole)
		role = &r
	default:
		return nil, apperr.Invalid("config.default_role", "must be admin, technician, viewer, customer or unspecified (never owner)")
	}
	// Check the provider before storing anything.
	if _, err := s.discover(ctx, issuer, true); err != nil {
		return nil, err
	}
	var sealed []byte
	if in.ClientSecret != "" {
		if sealed, err = s.box.Seal([]byte(in.ClientSecret), s.secretAAD(v.TenantID)); err != nil {
			return nil, err
		}
	}
	if err := s.checkDomainsFree(ctx, v.TenantID, domains); err != nil {
		return nil, err
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		old, err := tx.SSOConfig.Query().Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("read sso config: %w", err)
		}
		if old == nil {
			c := tx.SSOConfig.Create().SetTenantID(v.TenantID).SetIssuerURL(issuer).SetClientID(clientID).
				SetNillableDefaultRole(role).SetSSOOnly(in.SSOOnly).SetEnabled(in.Enabled).SetUpdatedAt(s.now())
			if sealed != nil {
				c.SetClientSecretEncrypted(sealed)
			}
			if err := c.Exec(ctx); err != nil {
				return fmt.Errorf("create sso config: %w", err)
			}
		} else {
			u := tx.SSOConfig.UpdateOne(old).SetIssuerURL(issuer).SetClientID(clientID).
				SetSSOOnly(in.SSOOnly).SetEnabled(in.Enabled).SetUpdatedAt(s.now())
			if role != nil {
				u.SetDefaultRole(*role)
			} else {
				u.ClearDefaultRole()
			}
			if sealed != nil {
				u.SetClientSecretEncrypted(sealed)
			}
			if err := u.Exec(ctx); err != nil {
				return fmt.Errorf("update sso config: %w", err)
			}
		}
		if _, err := tx.SSODomain.Delete().Where(ssodomain.DomainNotIn(domains...)).Exec(ctx); err != nil {
			return fmt.Errorf("remove sso domains: %w", err)
		}
		have, err := tx.SSODomain.Query().Select(ssodomain.FieldDomain).Strings(ctx)
		if err != nil {
			return fmt.Errorf("read sso domains: %w", err)
		}
		for _, d := range domains {
			if slices.Contains(have, d) {
				continue
			}
			if err := tx.SSODomain.Create().SetTenantID(v.TenantID).SetDomain(d).Exec(ctx); err != nil {
				if ent.IsConstraintError(err) {
					return domainTaken(d)
				}
				return fmt.Errorf("add sso domain: %w", err)
			}
		}
		detail := fmt.Sprintf("issuer %s, client %s, domains %s, enabled %t, sso_only %t, default role %q",
			issuer, clientID, strings.Join(domains, " "), in.Enabled, in.SSOOnly, string(in.DefaultRole))
		if sealed != nil {
			detail += ", client secret changed"
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.SSOConfigUpdate, TargetKind: "sso_config", TargetID: v.TenantID, TargetName: issuer, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx)
}

func domainTaken(d string) error {
	return apperr.AlreadyExists("the domain %s is already claimed by another organisation's single sign-on", d)
}

// checkDomainsFree fails with already_exists when another tenant claims
// one of domains (the unique index catches a race).
func (s *Service) checkDomainsFree(ctx context.Context, tenantID uuid.UUID, domains []string) error {
	if len(domains) == 0 {
		return nil
	}
	sctx := bypass.Allow(ctx, "sso: check that no other tenant claims the email domains being configured")
	taken, err := s.st.Ent.SSODomain.Query().Where(ssodomain.DomainIn(domains...), ssodomain.TenantIDNEQ(tenantID)).First(sctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check sso domains: %w", err)
	}
	return domainTaken(taken.Domain)
}

// Delete removes the viewer's tenant's configuration and its domains and
// identity links (audited as sso.config_delete); not_found when none.
func (s *Service) Delete(ctx context.Context) error {
	v := viewer.FromContext(ctx)
	if v == nil {
		return apperr.PermissionDenied("no viewer")
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.SSOConfig.Query().Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFound("single sign-on configuration")
		}
		if err != nil {
			return fmt.Errorf("read sso config: %w", err)
		}
		if err := tx.SSOConfig.DeleteOne(c).Exec(ctx); err != nil {
			return fmt.Errorf("delete sso config: %w", err)
		}
		if _, err := tx.SSODomain.Delete().Exec(ctx); err != nil {
			return fmt.Errorf("delete sso domains: %w", err)
		}
		if _, err := tx.UserIdentity.Delete().Exec(ctx); err != nil {
			return fmt.Errorf("delete sso links: %w", err)
		}
		if _, err := tx.SSOState.Delete().Exec(ctx); err != nil {
			return fmt.Errorf("delete sso states: %w", err)
		}
		if _, err := tx.SSOLoginCode.Delete().Exec(ctx); err != nil {
			return fmt.Errorf("delete sso codes: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.SSOConfigDelete, TargetKind: "sso_config", TargetID: v.TenantID, TargetName: c.IssuerURL})
	})
}

// Offered reports whether any tenant has single sign-on enabled.
func (s *Service) Offered(ctx context.Context) (bool, error) {
	ok, err := s.st.Ent.SSOConfig.Query().Where(ssoconfig.Enabled(true)).Exist(bypass.Allow(ctx, "sso: tell the login page whether any tenant offers single sign-on"))
	if err != nil {
		return false, fmt.Errorf("check sso configs: %w", err)
	}
	return ok, nil
}

// ErrSSOOnly refuses a password or passkey sign-in to a tenant that allows
// only single sign-on.
var ErrSSOOnly = apperr.PermissionDenied("this organisation signs in through single sign-on")

// SignInCheck returns the identity.Options.SignInCheck that enforces
// SSO-only: members (but owners) of a tenant whose enabled configuration
// is SSO-only cannot sign in with a password or a passkey.
func SignInCheck(st *store.Store) func(ctx context.Context, userID, tenantID uuid.UUID, method string) error {
	return func(ctx context.Context, userID, tenantID uuid.UUID, method string) error {
		switch method {
		case identity.MethodPassword, identity.MethodPasswordMFA, identity.MethodPasskey:
		default:
			return nil
		}
		tctx := bypass.AsTenant(ctx, tenantID, "sso: check whether the tenant being signed into allows only single sign-on")
		only, err := st.Ent.SSOConfig.Query().Where(ssoconfig.Enabled(true), ssoconfig.SSOOnly(true)).Exist(tctx)
		if err != nil {
			return fmt.Errorf("check sso-only: %w", err)
		}
		if !only {
			return nil
		}
		m, err := st.Ent.Membership.Query().Where(membership.UserID(userID)).Only(tctx)
		if err != nil {
			return fmt.Errorf("check sso-only: %w", err)
		}
		if m.Role == membership.RoleOwner {
			return nil
		}
		return ErrSSOOnly
	}
}

// ValidIssuer checks an issuer URL: https, or http on a loopback address
// (development and tests); no query, fragment or credentials. It returns
// the URL without a trailing slash... unless the provider's issuer has
// one, which discovery then reports (the issuer must match exactly).
func ValidIssuer(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", apperr.Invalid("config.issuer_url", "must not be empty")
	}
	if len(raw) > 500 {
		return "", apperr.Invalid("config.issuer_url", "must be at most 500 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", apperr.Invalid("config.issuer_url", "must be an absolute URL such as https://login.example.com/realms/acme")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", apperr.Invalid("config.issuer_url", "must not carry credentials, a query or a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopbackHost(u.Hostname()) {
			return "", apperr.Invalid("config.issuer_url", "must use https (http only on a loopback address)")
		}
	default:
		return "", apperr.Invalid("config.issuer_url", "must use https")
	}
	return raw, nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// validDomains lower-cases, trims and deduplicates domains and checks each
// is a host name with a dot.
func validDomains(in []string) ([]string, error) {
	if len(in) > MaxDomains {
		return nil, apperr.Invalid("config.domains", "at most %d domains", MaxDomains)
	}
	var out []string
	for _, d := range in {
		d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
		if d == "" {
			continue
		}
		if !validDomain(d) {
			return nil, apperr.Invalid("config.domains", "%q is not a domain such as example.com", validateClip(d))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}

func validateClip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// discover returns the provider of issuer, from the cache unless fresh is
// set: unavailable when it cannot be reached, invalid_argument when what
// answers is not an OpenID provider for that issuer.
func (s *Service) discover(ctx context.Context, issuer string, fresh bool) (*oidc.Provider, error) {
	s.mu.Lock()
	c, ok := s.providers[issuer]
	s.mu.Unlock()
	if ok && !fresh && s.now().Sub(c.fetched) < providerTTL {
		return c.p, nil
	}
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, s.client), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		var ue *url.Error
		switch {
		case errors.As(err, &ue), errors.Is(err, context.DeadlineExceeded), strings.HasPrefix(err.Error(), "5"):
			// Not reachable, or a server error (go-oidc reports a bad
			// status as "<status>: <body>").
			return nil, apperr.Unavailable(err, "the identity provider at %s cannot be reached", issuer)
		default:
			return nil, apperr.Invalid("config.issuer_url", "is not an OpenID Connect provider (%s/.well-known/openid-configuration: %s)", strings.TrimRight(issuer, "/"), shorten(err))
		}
	}
	// go-oidc has checked the document's issuer equals the URL; check the
	// endpoints a sign-in needs are there.
	var meta struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
		JWKS  string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.Auth == "" || meta.Token == "" || meta.JWKS == "" {
		return nil, apperr.Invalid("config.issuer_url", "the provider's discovery document lacks an authorization, token or key-set endpoint")
	}
	s.mu.Lock()
	s.providers[issuer] = cachedProvider{p: p, fetched: s.now()}
	s.mu.Unlock()
	return p, nil
}

// shorten shortens an error for a field message.
func shorten(err error) string {
	m := err.Error()
	if len(m) > 200 {
		m = m[:200] + "…"
	}
	return m
}
