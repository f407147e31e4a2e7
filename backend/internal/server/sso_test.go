package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/sso"
	"github.com/wegweiser/wegweiser/backend/internal/sso/ssotest"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/session"
)

const (
	ssoGet    = "wegweiser.v1.SingleSignOnService/GetSingleSignOnConfig"
	ssoUpdate = "wegweiser.v1.SingleSignOnService/UpdateSingleSignOnConfig"
	ssoDelete = "wegweiser.v1.SingleSignOnService/DeleteSingleSignOnConfig"
	ssoStart  = "wegweiser.v1.AuthService/StartSingleSignOn"
	ssoFinish = "wegweiser.v1.AuthService/CompleteSingleSignOn"
)

// noRedirect is an HTTP client that reports redirects instead of following
// them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type ssoTenant struct {
	id, domain, owner, ownerToken string
}

// newSSOTenant signs up a tenant whose owner's address is at a domain of
// its own.
func newSSOTenant(t *testing.T, srv *testenv.Server) ssoTenant {
	t.Helper()
	domain := "acme-" + uuid.NewString()[:8] + ".example"
	owner := "owner@" + domain
	res, err := srv.App.Identity.SignUp(context.Background(), identity.SignUpInput{TenantName: "Acme", Email: owner, Password: testenv.Password})
	if err != nil {
		t.Fatal(err)
	}
	return ssoTenant{id: res.Tenant.ID.String(), domain: domain, owner: owner, ownerToken: res.Tokens.AccessToken}
}

func (ten ssoTenant) configure(t *testing.T, srv *testenv.Server, idp *ssotest.Provider, extra map[string]any) *testenv.Response {
	t.Helper()
	cfg := map[string]any{
		"issuerUrl": idp.URL, "clientId": idp.ClientID, "clientSecret": idp.ClientSecret,
		"domains": []string{ten.domain}, "enabled": true,
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return testenv.Call(t, srv.URL, ssoUpdate, ten.ownerToken, map[string]any{"config": cfg})
}

func bindingHash(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

// onServer points a URL the server made from its configured (here:
// unreachable) public URL at the test server.
func onServer(srv *testenv.Server, raw string) string {
	u, _ := url.Parse(raw)
	s, _ := url.Parse(srv.URL)
	u.Scheme, u.Host = s.Scheme, s.Host
	return u.String()
}

func location(t *testing.T, raw string) *url.URL {
	t.Helper()
	res, err := noRedirect.Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode/100 != 3 {
		t.Fatalf("GET %s: status %d, want a redirect", raw, res.StatusCode)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// ssoFlow is one sign-in, started for an email with a browser binding
// (startSSO's authorize may change the authorization URL before the
// browser follows it).
type ssoFlow struct {
	srv      *testenv.Server
	binding  string
	callback string // the provider's redirect, on the test server
}

func startSSO(t *testing.T, srv *testenv.Server, email, binding string, authorize func(*url.URL)) *ssoFlow {
	t.Helper()
	res := testenv.Call(t, srv.URL, ssoStart, "", map[string]any{"email": email, "browserBindingHash": bindingHash(binding)})
	res.Must(t)
	au, err := url.Parse(res.Str("authorizationUrl"))
	if err != nil {
		t.Fatal(err)
	}
	if authorize != nil {
		authorize(au)
	}
	back := location(t, au.String())
	return &ssoFlow{srv: srv, binding: binding, callback: onServer(srv, back.String())}
}

// finish follows the provider's redirect to the callback and returns the
// dashboard URL's code or error.
func (f *ssoFlow) finish(t *testing.T) (code, reason string) {
	t.Helper()
	dash := location(t, f.callback)
	if dash.Path != sso.LoginPath {
		t.Fatalf("callback redirected to %s, want %s", dash, sso.LoginPath)
	}
	for k := range dash.Query() {
		if k != "code" && k != "error" {
			t.Fatalf("dashboard URL carries %s: %s", k, dash)
		}
	}
	if strings.Contains(dash.RawQuery, "eyJ") {
		t.Fatalf("token in the dashboard URL: %s", dash)
	}
	return dash.Query().Get("code"), dash.Query().Get("error")
}

// signInSSO runs a whole sign-in and returns the access token (failing
// the test when any step fails).
func signInSSO(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	f := startSSO(t, srv, email, "binding-"+uuid.NewString(), nil)
	code, reason := f.finish(t)
	if code == "" {
		t.Fatalf("sign-in of %s refused: %s", email, reason)
	}
	res := testenv.Call(t, srv.URL, ssoFinish, "", map[string]any{"code": code, "browserBinding": f.binding})
	res.Must(t)
	return res.Str("accessToken")
}

func refusal(t *testing.T, srv *testenv.Server, email string) string {
	t.Helper()
	code, reason := startSSO(t, srv, email, "b", nil).finish(t)
	if code != "" {
		t.Fatalf("sign-in of %s was accepted, want a refusal", email)
	}
	return reason
}

func ssoWhoAmI(t *testing.T, srv *testenv.Server, token string) *testenv.Response {
	t.Helper()
	me := testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/WhoAmI", token, map[string]any{})
	me.Must(t)
	return me
}

func ssoAuditCount(t *testing.T, st *store.Store, tenantID, action, actor string) int {
	t.Helper()
	ctx := bypass.AsTenant(context.Background(), uuid.MustParse(tenantID), "test: read the audit log")
	q := st.Ent.AuditEvent.Query().Where(auditevent.Action(action), auditevent.Actor(actor))
	if action == audit.Login {
		// Only single sign-on sign-ins (the member may also have signed in
		// with a password).
		q = q.Where(auditevent.DetailContains("method=" + identity.MethodSSO))
	}
	n, err := q.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSingleSignOn runs the OpenID Connect sign-in against a provider of
// the test's own (ssotest) on both stores.
func TestSingleSignOn(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		idp := ssotest.Start(t, "wegweiser-client", "s3cret-"+uuid.NewString())
		ten := newSSOTenant(t, srv)
		as := func(email string, verified bool) {
			idp.Set(func(p *ssotest.Provider) {
				p.User = ssotest.User{Subject: "sub-" + email, Email: email, EmailVerified: verified, Name: "Test " + email}
				p.Audience, p.Nonce = "", ""
			})
		}

		if cfg := testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/GetAuthConfig", "", map[string]any{}); cfg.Body["singleSignOn"] == true {
			t.Fatal("GetAuthConfig offers single sign-on before any tenant configured it")
		}
		t.Run("configure", func(t *testing.T) {
			for name, c := range map[string]struct {
				extra map[string]any
				code  string
			}{
				"http issuer off loopback": {map[string]any{"issuerUrl": "http://login.example.com"}, "invalid_argument"},
				"owner as default role":    {map[string]any{"defaultRole": "ROLE_OWNER"}, "invalid_argument"},
				"bad domain":               {map[string]any{"domains": []string{"not a domain"}}, "invalid_argument"},
				"unreachable issuer":       {map[string]any{"issuerUrl": "http://127.0.0.1:9/realms/x"}, "unavailable"},
				"not a provider":           {map[string]any{"issuerUrl": srv.URL}, "invalid_argument"},
			} {
				if got := ten.configure(t, srv, idp, c.extra); got.Code != c.code {
					t.Errorf("%s: %s (%s), want %s", name, got.Code, got.Raw, c.code)
				}
			}
			if got := testenv.Call(t, srv.URL, ssoGet, ten.ownerToken, map[string]any{}); got.Code != "not_found" {
				t.Fatalf("a refused update stored a configuration: %s", got.Raw)
			}
			res := ten.configure(t, srv, idp, map[string]any{"defaultRole": "ROLE_TECHNICIAN"})
			res.Must(t)
			if res.Str("config.clientSecret") != "" || res.Body["config"].(map[string]any)["clientSecretSet"] != true {
				t.Fatalf("secret returned or not stored: %s", res.Raw)
			}
			if !strings.HasSuffix(res.Str("config.redirectUrl"), sso.CallbackPath) {
				t.Fatalf("redirect URL %q", res.Str("config.redirectUrl"))
			}
			if strings.Contains(string(res.Raw), idp.ClientSecret) {
				t.Fatal("client secret in the response")
			}
			if n := ssoAuditCount(t, st, ten.id, audit.SSOConfigUpdate, ten.owner); n != 1 {
				t.Fatalf("%d sso.config_update events, want 1", n)
			}
			if cfg := testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/GetAuthConfig", "", map[string]any{}); cfg.Body["singleSignOn"] != true {
				t.Fatalf("GetAuthConfig: %s, want singleSignOn", cfg.Raw)
			}
		})

		t.Run("domain claimed by another tenant", func(t *testing.T) {
			other := newSSOTenant(t, srv)
			other.domain = ten.domain
			if got := other.configure(t, srv, idp, nil); got.Code != "already_exists" {
				t.Fatalf("claiming another tenant's domain: %s (%s)", got.Code, got.Raw)
			}
		})

		t.Run("existing member linked by email, then by subject", func(t *testing.T) {
			as(ten.owner, true)
			tok := signInSSO(t, srv, ten.owner)
			me := ssoWhoAmI(t, srv, tok)
			if me.Str("user.email") != ten.owner || me.Str("tenant.id") != ten.id {
				t.Fatalf("signed in as %s in %s", me.Str("user.email"), me.Str("tenant.id"))
			}
			ctx := bypass.AsTenant(context.Background(), uuid.MustParse(ten.id), "test: read sessions")
			if n, err := st.Ent.Session.Query().Where(session.Method(identity.MethodSSO)).Count(ctx); err != nil || n != 1 {
				t.Fatalf("%d sso sessions (%v), want 1", n, err)
			}
			if n := ssoAuditCount(t, st, ten.id, audit.Login, ten.owner); n != 1 {
				t.Fatalf("%d auth.login events, want 1", n)
			}
			// The provider now reports another address for the same
			// subject: the link, not the address, decides.
			idp.Set(func(p *ssotest.Provider) { p.User.Email = "renamed@" + ten.domain })
			if got := ssoWhoAmI(t, srv, signInSSO(t, srv, ten.owner)).Str("user.email"); got != ten.owner {
				t.Fatalf("linked subject signed in as %s", got)
			}
		})

		t.Run("just-in-time member with the default role", func(t *testing.T) {
			email := "new.hire@" + ten.domain
			as(email, true)
			me := ssoWhoAmI(t, srv, signInSSO(t, srv, email))
			if me.Str("user.email") != email || me.Str("user.role") != "ROLE_TECHNICIAN" {
				t.Fatalf("JIT member: %s", me.Raw)
			}
			if n := ssoAuditCount(t, st, ten.id, audit.UserJoinSSO, email); n != 1 {
				t.Fatalf("%d user.join_sso events, want 1", n)
			}
		})

		t.Run("refusals", func(t *testing.T) {
			as("stranger@elsewhere.example", true)
			if r := refusal(t, srv, ten.owner); r != sso.ErrReasonNotAllowed {
				t.Errorf("foreign domain: %q, want %s", r, sso.ErrReasonNotAllowed)
			}
			as("unverified@"+ten.domain, false)
			if r := refusal(t, srv, ten.owner); r != sso.ErrReasonUnverified {
				t.Errorf("unverified email: %q", r)
			}
			as(ten.owner, true)
			idp.Set(func(p *ssotest.Provider) { p.Audience = "someone-else" })
			if r := refusal(t, srv, ten.owner); r != sso.ErrReasonToken {
				t.Errorf("wrong audience: %q", r)
			}
			as(ten.owner, true)
			idp.Set(func(p *ssotest.Provider) { p.Nonce = "not-the-nonce" })
			if r := refusal(t, srv, ten.owner); r != sso.ErrReasonToken {
				t.Errorf("bad nonce: %q", r)
			}
			as(ten.owner, true)
			// Another challenge than the verifier the server holds.
			f := startSSO(t, srv, ten.owner, "b", func(u *url.URL) {
				q := u.Query()
				sum := sha256.Sum256([]byte("an attacker's verifier"))
				q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
				u.RawQuery = q.Encode()
			})
			if code, r := f.finish(t); code != "" || r != sso.ErrReasonProvider {
				t.Errorf("PKCE mismatch: code %q reason %q", code, r)
			}
			if n := ssoAuditCount(t, st, ten.id, audit.LoginFailed, "stranger@elsewhere.example"); n != 1 {
				t.Errorf("%d auth.login_failed for the foreign address, want 1", n)
			}
		})

		t.Run("state", func(t *testing.T) {
			as(ten.owner, true)
			f := startSSO(t, srv, ten.owner, "b", nil)
			u, _ := url.Parse(f.callback)
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
			if _, r := (&ssoFlow{srv: srv, callback: u.String()}).finish(t); r != sso.ErrReasonState {
				t.Errorf("wrong state: %q", r)
			}
			if code, _ := f.finish(t); code == "" {
				t.Fatal("the real state was refused")
			}
			if code, r := f.finish(t); code != "" || r != sso.ErrReasonState {
				t.Errorf("replayed state: code %q reason %q", code, r)
			}
		})

		t.Run("one-time code", func(t *testing.T) {
			as(ten.owner, true)
			f := startSSO(t, srv, ten.owner, "right", nil)
			code, _ := f.finish(t)
			if got := testenv.Call(t, srv.URL, ssoFinish, "", map[string]any{"code": code, "browserBinding": "wrong"}); got.Code != "unauthenticated" {
				t.Fatalf("wrong binding: %s", got.Raw)
			}
			// The code was spent by the wrong binding's attempt.
			if got := testenv.Call(t, srv.URL, ssoFinish, "", map[string]any{"code": code, "browserBinding": "right"}); got.Code != "unauthenticated" {
				t.Fatalf("code after a wrong binding: %s", got.Raw)
			}
			f = startSSO(t, srv, ten.owner, "right", nil)
			code, _ = f.finish(t)
			testenv.Call(t, srv.URL, ssoFinish, "", map[string]any{"code": code, "browserBinding": "right"}).Must(t)
			if got := testenv.Call(t, srv.URL, ssoFinish, "", map[string]any{"code": code, "browserBinding": "right"}); got.Code != "unauthenticated" {
				t.Fatalf("replayed code: %s", got.Raw)
			}
		})

		t.Run("sso only", func(t *testing.T) {
			// A member with a password: invited, accepted.
			member := "member@" + ten.domain
			testenv.Call(t, srv.URL, "wegweiser.v1.UserService/InviteUser", ten.ownerToken, map[string]any{"email": member, "role": "ROLE_ADMIN"}).Must(t)
			testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/AcceptInvitation", "", map[string]any{
				"invitationToken": testenv.LinkToken(t, srv.WaitMail(t, member, 1).Body), "password": testenv.Password,
			}).Must(t)
			login := func(email string) *testenv.Response {
				return testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/Login", "", map[string]any{"email": email, "password": testenv.Password})
			}
			login(member).Must(t)
			ten.configure(t, srv, idp, map[string]any{"ssoOnly": true, "clientSecret": ""}).Must(t)
			if got := login(member); got.Code != "permission_denied" || !strings.Contains(string(got.Raw), "single sign-on") {
				t.Fatalf("password login of a member under SSO-only: %s", got.Raw)
			}
			login(ten.owner).Must(t)
			as(member, true)
			if got := ssoWhoAmI(t, srv, signInSSO(t, srv, member)).Str("user.email"); got != member {
				t.Fatalf("SSO sign-in of the member: %s", got)
			}
			// The empty secret kept the stored one: the exchange worked.
			testenv.Call(t, srv.URL, ssoDelete, ten.ownerToken, map[string]any{}).Must(t)
			login(member).Must(t)
			if got := testenv.Call(t, srv.URL, ssoStart, "", map[string]any{"email": member, "browserBindingHash": bindingHash("b")}); got.Code != "not_found" {
				t.Fatalf("start after delete: %s", got.Raw)
			}
			if n := ssoAuditCount(t, st, ten.id, audit.SSOConfigDelete, ten.owner); n != 1 {
				t.Fatalf("%d sso.config_delete events", n)
			}
		})

		t.Run("start", func(t *testing.T) {
			// A bad binding is refused for a tenant that offers single
			// sign-on (one that does not is not_found first).
			ten.configure(t, srv, idp, map[string]any{"defaultRole": "ROLE_TECHNICIAN"}).Must(t)
			for name, body := range map[string]map[string]any{
				"no binding":     {"tenantId": ten.id},
				"short binding":  {"tenantId": ten.id, "browserBindingHash": "abc"},
				"unknown domain": {"email": "a@nobody-" + uuid.NewString()[:6] + ".example", "browserBindingHash": bindingHash("b")},
				"unknown tenant": {"tenantId": uuid.NewString(), "browserBindingHash": bindingHash("b")},
			} {
				got := testenv.Call(t, srv.URL, ssoStart, "", body)
				want := "invalid_argument"
				if strings.HasPrefix(name, "unknown") {
					want = "not_found"
				}
				if got.Code != want {
					t.Errorf("%s: %s (%s), want %s", name, got.Code, got.Raw, want)
				}
			}
		})
	})
}
