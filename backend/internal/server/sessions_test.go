package server_test

// Sessions: the list and its revocation, the cached per-request checks
// (in the process and shared through Redis), Redis going away and coming
// back (reliability test 5) and forged or ended tokens on a real RPC
// (security test 5).

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/backend/internal/testenv/redistest"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// security returns a SecurityService client sending token with userAgent.
func security(srv *testenv.Server, token, userAgent string) wegweiserv1connect.SecurityServiceClient {
	return wegweiserv1connect.NewSecurityServiceClient(http.DefaultClient, srv.URL, connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+token)
				if userAgent != "" {
					req.Header().Set("User-Agent", userAgent)
				}
				return next(ctx, req)
			}
		})))
}

// loginAs logs m in with a User-Agent and returns the tokens.
func loginAs(t *testing.T, srv *testenv.Server, m testenv.Member, userAgent string) *testenv.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/"+login, strings.NewReader(`{"email":"`+m.Email+`","password":"`+testenv.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	out := &testenv.Response{Status: res.StatusCode, Header: res.Header, Code: "ok"}
	if err := jsonDecode(res, out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v %s", res.StatusCode, err, out.Raw)
	}
	return out
}

func jsonDecode(res *http.Response, out *testenv.Response) error {
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	out.Raw = raw
	return json.Unmarshal(raw, &out.Body)
}

func sessionAuditCount(t *testing.T, st *store.Store, tenantID, action string) int {
	t.Helper()
	n, err := st.Ent.AuditEvent.Query().Where(auditevent.TenantID(uuid.MustParse(tenantID)), auditevent.Action(action)).
		Count(bypass.Allow(context.Background(), "test: count audit events"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSessionsListAndRevoke: a user sees their live sessions with device,
// method and the current one marked; ending one stops its access token on
// the next request; another user's session is not_found and stays alive;
// "sign out everywhere else" keeps only the current session; every ending
// is in the audit log.
func TestSessionsListAndRevoke(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "sessions")
		ctx := context.Background()
		admin := ten.Members[viewer.RoleAdmin]
		laptop := loginAs(t, srv, admin, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0").Str("accessToken")
		phone := loginAs(t, srv, admin, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1").Str("accessToken")
		third := loginAs(t, srv, admin, "curl/8.5.0").Str("accessToken")
		sec := security(srv, laptop, "")

		list := must(sec.ListSessions(ctx, &v1.ListSessionsRequest{}))(t).GetSessions()
		// The three above and the one the invitation was accepted with.
		if len(list) != 4 {
			t.Fatalf("%d sessions listed, want 4", len(list))
		}
		var current, phoneID string
		for _, s := range list {
			if s.GetCurrent() {
				current = s.GetId()
				if !strings.Contains(s.GetUserAgent(), "Windows") {
					t.Fatalf("current session is %q", s.GetUserAgent())
				}
			}
			if strings.Contains(s.GetUserAgent(), "iPhone") {
				phoneID = s.GetId()
			}
			if s.GetMethod() == v1.SignInMethod_SIGN_IN_METHOD_UNSPECIFIED || s.GetAddress() == "" || s.GetCreateTime() == nil || s.GetLastUseTime() == nil {
				t.Fatalf("session lacks details: %v", s)
			}
		}
		if current == "" || phoneID == "" {
			t.Fatalf("current %q, phone %q in %v", current, phoneID, list)
		}
		// Nobody else's sessions are listed.
		ownerList := must(security(srv, ten.Login(t, ten.Owner), "").ListSessions(ctx, &v1.ListSessionsRequest{}))(t).GetSessions()
		for _, s := range ownerList {
			if s.GetId() == phoneID || s.GetId() == current {
				t.Fatal("the owner sees the admin's sessions")
			}
		}

		// Warm the cache of the phone's session, then end it.
		phoneC := srv.Clients(phone)
		must(phoneC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		must(phoneC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		must(sec.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: phoneID}))(t)
		if _, err := phoneC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("access token of a revoked session: %v, want unauthenticated", err)
		}
		if sessionAuditCount(t, st, ten.ID, audit.SessionRevoke) != 1 {
			t.Fatal("revocation not audited")
		}

		// Another user's session, a made-up one and a malformed id.
		other := security(srv, ten.Login(t, ten.Members[viewer.RoleTechnician]), "")
		if _, err := other.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: current}); testenv.Code(err) != "not_found" {
			t.Fatalf("revoking another user's session: %v, want not_found", err)
		}
		if _, err := other.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: uuid.NewString()}); testenv.Code(err) != "not_found" {
			t.Fatalf("revoking an unknown session: %v, want not_found", err)
		}
		if _, err := other.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: "nope"}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("malformed id: %v, want invalid_argument", err)
		}
		must(sec.ListSessions(ctx, &v1.ListSessionsRequest{}))(t) // still signed in

		// Sign out everywhere else.
		res := must(sec.RevokeAllSessions(ctx, &v1.RevokeAllSessionsRequest{KeepCurrent: true}))(t)
		if res.GetRevoked() != 2 {
			t.Fatalf("revoked %d, want 2 (the third and the invitation's session)", res.GetRevoked())
		}
		if _, err := srv.Clients(third).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("other session after sign-out everywhere else: %v", err)
		}
		left := must(sec.ListSessions(ctx, &v1.ListSessionsRequest{}))(t).GetSessions()
		if len(left) != 1 || left[0].GetId() != current || !left[0].GetCurrent() {
			t.Fatalf("left %v, want only the current session", left)
		}
		// Everywhere: the current one ends too.
		must(sec.RevokeAllSessions(ctx, &v1.RevokeAllSessionsRequest{}))(t)
		if _, err := sec.ListSessions(ctx, &v1.ListSessionsRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("after signing out everywhere: %v", err)
		}
		if n := sessionAuditCount(t, st, ten.ID, audit.SessionRevoke); n != 3 {
			t.Fatalf("%d session_revoke events, want 3", n)
		}

		// Logout is audited, with the viewer or with only the refresh token.
		before := sessionAuditCount(t, st, ten.ID, audit.Logout)
		a := loginAs(t, srv, admin, "a")
		must(srv.Clients(a.Str("accessToken")).Auth.Logout(ctx, &v1.LogoutRequest{RefreshToken: a.Str("refreshToken")}))(t)
		b := loginAs(t, srv, admin, "b")
		must(srv.Clients("").Auth.Logout(ctx, &v1.LogoutRequest{RefreshToken: b.Str("refreshToken")}))(t)
		if n := sessionAuditCount(t, st, ten.ID, audit.Logout); n != before+2 {
			t.Fatalf("%d logout events, want %d", n, before+2)
		}
	})
}

// TestRoleChangeNextRequest: a member's new role applies to their very
// next request although the previous one was answered from the cache.
func TestRoleChangeNextRequest(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.RedisURL = "" })
		roleChange(t, srv, srv)
	})
}

// roleChange changes a technician's role on one server and checks the
// next request on another (or the same) server.
func roleChange(t *testing.T, change, next *testenv.Server) {
	t.Helper()
	ctx := context.Background()
	ten := testenv.NewTenant(t, change, "role")
	tech := ten.Members[viewer.RoleTechnician]
	techC := next.Clients(ten.Login(t, tech))
	perms := func() []string {
		return must(techC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t).GetPermissions()
	}
	for range 3 { // the first fills the cache, the others are served from it
		if !slices.Contains(perms(), authz.DeviceWrite.String()) {
			t.Fatal("technician lacks device.write")
		}
	}
	owner := change.Clients(ten.Login(t, ten.Owner))
	must(owner.User.ChangeUserRole(ctx, &v1.ChangeUserRoleRequest{UserId: tech.ID, Role: v1.Role_ROLE_VIEWER}))(t)
	if slices.Contains(perms(), authz.DeviceWrite.String()) {
		t.Fatal("a viewer still has device.write on the next request")
	}
	must(owner.User.DisableUser(ctx, &v1.DisableUserRequest{UserId: tech.ID}))(t)
	if _, err := techC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
		t.Fatalf("disabled member's next request: %v, want unauthenticated", err)
	}
}

func sharedKey() string {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	return base64.StdEncoding.EncodeToString(seed)
}

// TestSessionCacheSharedThroughRedis: two processes on one database and
// one Redis; a role change, a disabled member and a revoked session made
// through one take effect on the very next request to the other, whose
// checks were cached.
func TestSessionCacheSharedThroughRedis(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		rds := redistest.New(t)
		rds.Start(t)
		key, prefix := sharedKey(), "wwsess:"+uuid.NewString()[:8]+":"
		shared := func(c *config.Config) { c.RedisURL, c.RedisPrefix, c.JWTKey = rds.URL(), prefix, key }
		a := testenv.StartServerWith(t, st, shared)
		// The second process runs no job workers: two sets of workers on
		// one SQLite file only compete for its few connections.
		b := testenv.StartServerWith(t, st, func(c *config.Config) { shared(c); c.Workers = false })
		waitRedisCache(t, a)
		waitRedisCache(t, b)
		roleChange(t, a, b)
		if st := b.App.AuthCache.Stats(); st.Hits == 0 {
			t.Fatalf("the second process never answered from the cache: %+v", st)
		}

		// A session revoked through one process, used on the other.
		ctx := context.Background()
		ten := testenv.NewTenant(t, a, "revoke")
		admin := ten.Members[viewer.RoleAdmin]
		tok := loginAs(t, a, admin, "phone").Str("accessToken")
		onB := b.Clients(tok)
		must(onB.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		must(onB.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		sec := security(a, ten.Login(t, admin), "")
		for _, s := range must(sec.ListSessions(ctx, &v1.ListSessionsRequest{}))(t).GetSessions() {
			if !s.GetCurrent() {
				must(sec.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: s.GetId()}))(t)
			}
		}
		if _, err := onB.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("revoked session on the other process: %v, want unauthenticated", err)
		}
	})
}

// waitRedisCache waits until the server's session cache reaches Redis.
func waitRedisCache(t *testing.T, srv *testenv.Server) {
	t.Helper()
	ten := testenv.NewTenant(t, srv, "warm")
	c := srv.Clients(ten.Login(t, ten.Owner))
	testenv.Eventually(t, "session cache connected to Redis", func() bool {
		must(c.Auth.WhoAmI(context.Background(), &v1.WhoAmIRequest{}))(t)
		return srv.App.AuthCache.Stats().Hits > 0
	})
}

// TestRedisOutage is reliability test 5: with Redis stopped, requests are
// authenticated in the database (a revocation still applies at once),
// sign-ins are throttled in the process (ratelimit's documented fail
// mode) and no request fails with an internal error; once Redis is back,
// the cache is used again.
func TestRedisOutage(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		rds := redistest.New(t)
		rds.Start(t)
		srv := testenv.StartServerWith(t, st, func(c *config.Config) {
			c.RedisURL, c.RedisPrefix = rds.URL(), "wwout:"+uuid.NewString()[:8]+":"
		})
		waitRedisCache(t, srv)
		ctx := context.Background()
		ten := testenv.NewTenant(t, srv, "outage")
		admin := ten.Members[viewer.RoleAdmin]
		tok := loginAs(t, srv, admin, "laptop").Str("accessToken")
		c := srv.Clients(tok)
		must(c.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)

		rds.Stop(t)
		codes := map[string]int{}
		note := func(err error) {
			code := testenv.Code(err)
			if err == nil {
				code = "ok"
			}
			codes[code]++
		}
		fallbacks := srv.App.AuthCache.Stats().Fallbacks
		for range 5 {
			_, err := c.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{})
			note(err)
			_, err = c.Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{})
			note(err)
		}
		if codes["ok"] != 10 {
			t.Fatalf("signed-in requests while Redis is down: %v, want all ok", codes)
		}
		if srv.App.AuthCache.Stats().Fallbacks == fallbacks {
			t.Fatal("no request was checked in the database while Redis was down")
		}
		// Failed sign-ins are throttled in the process.
		anon := srv.Clients("")
		victim := "nobody-" + uuid.NewString()[:8] + "@example.com"
		var last error
		for range identity.MaxLoginFailures + 2 {
			_, last = anon.Auth.Login(ctx, &v1.LoginRequest{Email: victim, Password: "not the password"})
			note(last)
		}
		if testenv.Code(last) != "resource_exhausted" {
			t.Fatalf("failed logins while Redis is down: %v, want resource_exhausted", last)
		}
		// Sign-in, a revocation and its effect, sign-out.
		second := loginAs(t, srv, admin, "phone").Str("accessToken")
		sec := security(srv, tok, "")
		list, err := sec.ListSessions(ctx, &v1.ListSessionsRequest{})
		note(err)
		for _, s := range list.GetSessions() {
			if !s.GetCurrent() {
				note(func() error {
					_, err := sec.RevokeSession(ctx, &v1.RevokeSessionRequest{SessionId: s.GetId()})
					return err
				}())
			}
		}
		if _, err := srv.Clients(second).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("revoked session while Redis is down: %v, want unauthenticated", err)
		}
		for code := range codes {
			if code != "ok" && code != "unauthenticated" && code != "resource_exhausted" {
				t.Fatalf("a request failed with %s while Redis was down (codes %v)", code, codes)
			}
		}

		// Redis is back (empty): the cache is used again, and the
		// revocation made while it was down still holds.
		rds.Start(t)
		hits := srv.App.AuthCache.Stats().Hits
		testenv.Eventually(t, "session cache used again", func() bool {
			must(c.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
			return srv.App.AuthCache.Stats().Hits > hits
		})
		if _, err := srv.Clients(second).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("revoked session after Redis came back: %v, want unauthenticated", err)
		}
	})
}

// TestForgedAndEndedTokens is security test 5 through the API: tokens with
// alg none, HS256 keyed with the public key, a wrong audience, expired,
// signed by another key, or of a session that was logged out or of a
// member who was disabled, are all unauthenticated on a real RPC; the same
// claims signed correctly pass (so the forgeries fail for their flaw).
func TestForgedAndEndedTokens(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		seed := make([]byte, ed25519.SeedSize)
		_, _ = rand.Read(seed)
		priv := ed25519.NewKeyFromSeed(seed)
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.JWTKey = base64.StdEncoding.EncodeToString(seed) })
		ten := testenv.NewTenant(t, srv, "forged")
		ctx := context.Background()
		ownerTok := ten.Login(t, ten.Owner)
		var claims identity.Claims
		if _, _, err := jwt.NewParser().ParseUnverified(ownerTok, &claims); err != nil {
			t.Fatal(err)
		}
		with := func(mod func(*identity.Claims)) *identity.Claims {
			c := claims
			now := time.Now()
			c.IssuedAt, c.ExpiresAt, c.ID = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(5*time.Minute)), uuid.NewString()
			if mod != nil {
				mod(&c)
			}
			return &c
		}
		sign := func(m jwt.SigningMethod, c *identity.Claims, key any) string {
			tok, err := jwt.NewWithClaims(m, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		call := func(tok string) error {
			_, err := srv.Clients(tok).Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{})
			return err
		}
		if err := call(sign(jwt.SigningMethodEdDSA, with(nil), priv)); err != nil {
			t.Fatalf("control token (right key and claims): %v", err)
		}
		_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
		forged := map[string]string{
			"alg none":        sign(jwt.SigningMethodNone, with(nil), jwt.UnsafeAllowNoneSignatureType),
			"HS256 confusion": sign(jwt.SigningMethodHS256, with(nil), []byte(priv.Public().(ed25519.PublicKey))),
			"wrong audience":  sign(jwt.SigningMethodEdDSA, with(func(c *identity.Claims) { c.Audience = jwt.ClaimStrings{"someone-else"} }), priv),
			"expired": sign(jwt.SigningMethodEdDSA, with(func(c *identity.Claims) {
				c.IssuedAt, c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour)), jwt.NewNumericDate(time.Now().Add(-10*time.Minute))
			}), priv),
			"other key":       sign(jwt.SigningMethodEdDSA, with(nil), otherKey),
			"other tenant":    sign(jwt.SigningMethodEdDSA, with(func(c *identity.Claims) { c.TenantID = uuid.NewString() }), priv),
			"unknown session": sign(jwt.SigningMethodEdDSA, with(func(c *identity.Claims) { c.SessionID = uuid.NewString() }), priv),
		}
		for name, tok := range forged {
			if err := call(tok); testenv.Code(err) != "unauthenticated" {
				t.Errorf("%s: %v, want unauthenticated", name, err)
			}
		}

		// After logout (the token was used, so its checks were cached).
		res := loginAs(t, srv, ten.Owner, "x")
		tok := res.Str("accessToken")
		if err := call(tok); err != nil {
			t.Fatal(err)
		}
		must(srv.Clients(tok).Auth.Logout(ctx, &v1.LogoutRequest{RefreshToken: res.Str("refreshToken")}))(t)
		if err := call(tok); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("after logout: %v, want unauthenticated", err)
		}
		// After the member is disabled.
		admin := ten.Members[viewer.RoleAdmin]
		adminTok := ten.Login(t, admin)
		if err := call(adminTok); err != nil {
			t.Fatal(err)
		}
		must(srv.Clients(ownerTok).User.DisableUser(ctx, &v1.DisableUserRequest{UserId: admin.ID}))(t)
		if err := call(adminTok); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("after the member was disabled: %v, want unauthenticated", err)
		}
	})
}
