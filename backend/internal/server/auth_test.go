package server_test

// TestIntegratorFlow is the README's curl walk-through and TestBadInput
// sends malformed, mistyped and oversized bodies, so both post raw JSON
// (testenv.Call), as do the malformed Authorization headers; the rest uses
// the typed clients.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Raw procedure names, for the wire tests: the README's curl walk-through
// (TestIntegratorFlow), malformed and oversized bodies (TestBadInput),
// Authorization headers as sent, and the other files' body-limit and
// X-Forwarded-For tests. Everything else uses the typed clients.
const (
	signUp    = "wegweiser.v1.AuthService/SignUp"
	login     = "wegweiser.v1.AuthService/Login"
	refresh   = "wegweiser.v1.AuthService/Refresh"
	whoAmI    = "wegweiser.v1.AuthService/WhoAmI"
	createOrg = "wegweiser.v1.TenantService/CreateOrganisation"
	getOrg    = "wegweiser.v1.TenantService/GetOrganisation"
	listOrgs  = "wegweiser.v1.TenantService/ListOrganisations"
)

func counts(t *testing.T, st *store.Store) (tenants, users int) {
	t.Helper()
	ctx := bypass.Allow(context.Background(), "test: set up and inspect rows directly")
	var err error
	if tenants, err = st.Ent.Tenant.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	if users, err = st.Ent.User.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	return tenants, users
}

// TestIntegratorFlow follows the README's curl walk-through with the
// contract's JSON names.
func TestIntegratorFlow(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		// Unique addresses: the login throttle may live in a Redis shared
		// by test runs.
		run := uuid.NewString()[:8]
		email := "ops-" + run + "@acme.example"
		// SignUp answers alike for new and taken emails; then log in.
		testenv.Call(t, srv.URL, signUp, "", `{"tenantName":"Acme IT","email":"Ops-`+run+`@Acme.example","password":"correct horse battery"}`).Must(t)
		res := testenv.Call(t, srv.URL, login, "", `{"email":"`+email+`","password":"correct horse battery"}`)
		res.Must(t)
		access, refreshTok := res.Str("accessToken"), res.Str("refreshToken")
		if access == "" || refreshTok == "" || res.Str("accessTokenExpiresAt") == "" {
			t.Fatalf("login response lacks tokens: %s", res.Raw)
		}
		org := testenv.Call(t, srv.URL, createOrg, access, `{"name":"Dental Practice"}`)
		id := org.Str("organisation.id")
		if id == "" || org.Str("organisation.name") != "Dental Practice" {
			t.Fatalf("create organisation: %s", org.Raw)
		}
		got := testenv.Call(t, srv.URL, getOrg, access, `{"id":"`+id+`"}`)
		if got.Str("organisation.id") != id {
			t.Fatalf("get organisation: %s", got.Raw)
		}
		// Another tenant sees neither the organisation nor it in its list.
		testenv.Call(t, srv.URL, signUp, "", `{"tenantName":"Other","email":"x-`+run+`@other.example","password":"correct horse battery"}`).Must(t)
		otherTok := testenv.Call(t, srv.URL, login, "", `{"email":"x-`+run+`@other.example","password":"correct horse battery"}`).Str("accessToken")
		if c := testenv.Call(t, srv.URL, getOrg, otherTok, `{"id":"`+id+`"}`).Code; c != "not_found" {
			t.Fatalf("other tenant's GetOrganisation: %s, want not_found", c)
		}
		list := testenv.Call(t, srv.URL, listOrgs, otherTok, `{}`)
		if strings.Contains(string(list.Raw), id) {
			t.Fatalf("other tenant lists the organisation: %s", list.Raw)
		}
		mine := testenv.Call(t, srv.URL, listOrgs, access, `{}`)
		if !strings.Contains(string(mine.Raw), id) {
			t.Fatalf("own list lacks the organisation: %s", mine.Raw)
		}
		if c := testenv.Call(t, srv.URL, login, "", `{"email":"`+email+`","password":"wrong password!"}`).Code; c != "unauthenticated" {
			t.Fatalf("wrong password: %s, want unauthenticated", c)
		}
		if c := testenv.Call(t, srv.URL, login, "", `{"email":"nobody-`+run+`@acme.example","password":"wrong password!"}`).Code; c != "unauthenticated" {
			t.Fatalf("unknown email: %s, want unauthenticated", c)
		}
		if c := testenv.Call(t, srv.URL, listOrgs, "", `{}`).Code; c != "unauthenticated" {
			t.Fatalf("no token: %s, want unauthenticated", c)
		}
	})
}

// TestRefreshRotationAndReuse: a refresh token works once; presenting it a
// second time revokes the whole session, including the token it was
// exchanged for and the access tokens of the session.
func TestRefreshRotationAndReuse(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "rot")
		ctx := context.Background()
		anon := srv.Clients("")
		res := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: ten.Owner.Email, Password: testenv.Password}))(t)
		r1 := res.GetRefreshToken()
		rot := must(anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: r1}))(t)
		r2, a2 := rot.GetRefreshToken(), srv.Clients(rot.GetAccessToken())
		if r2 == r1 || r2 == "" {
			t.Fatal("refresh did not rotate the token")
		}
		must(a2.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		if _, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: r1}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("reused refresh token: %v, want unauthenticated", err)
		}
		if _, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: r2}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("token of a revoked session: %v, want unauthenticated", err)
		}
		if _, err := a2.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("access token of a revoked session: %v, want unauthenticated", err)
		}
		// Other sessions of the same user are untouched.
		must(srv.Clients(ten.Login(t, ten.Owner)).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
	})
}

// TestTokensDieWithLogoutAndDisable is the session part of docs/security.md
// abuse test 5.
func TestTokensDieWithLogoutAndDisable(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "logout")
		ctx := context.Background()
		anon := srv.Clients("")
		res := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: ten.Owner.Email, Password: testenv.Password}))(t)
		access, refreshTok := srv.Clients(res.GetAccessToken()), res.GetRefreshToken()
		must(access.Auth.Logout(ctx, &v1.LogoutRequest{RefreshToken: refreshTok}))(t)
		if _, err := access.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("access token after logout: %v", err)
		}
		if _, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: refreshTok}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("refresh token after logout: %v", err)
		}

		tech := ten.Members[viewer.RoleTechnician]
		techRes := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: tech.Email, Password: testenv.Password}))(t)
		techC, techRefresh := srv.Clients(techRes.GetAccessToken()), techRes.GetRefreshToken()
		owner := srv.Clients(ten.Login(t, ten.Owner))
		must(owner.User.DisableUser(ctx, &v1.DisableUserRequest{UserId: tech.ID}))(t)
		if _, err := techC.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("access token of a disabled user: %v", err)
		}
		if _, err := anon.Auth.Refresh(ctx, &v1.RefreshRequest{RefreshToken: techRefresh}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("refresh of a disabled user: %v", err)
		}
		if _, err := anon.Auth.Login(ctx, &v1.LoginRequest{Email: tech.Email, Password: testenv.Password}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("login of a disabled user: %v", err)
		}
		must(owner.User.EnableUser(ctx, &v1.EnableUserRequest{UserId: tech.ID}))(t)
		must(srv.Clients(ten.Login(t, tech)).Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)

		// Malformed Authorization headers (a wire matter: sent as written).
		for name, header := range map[string]string{
			"garbage": "garbage", "bearer garbage": "Bearer garbage", "basic": "Basic dXNlcjpwYXNz",
		} {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/"+whoAmI, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", header)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s header: %v", name, err)
			}
			body, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if !strings.Contains(string(body), `"code":"unauthenticated"`) {
				t.Fatalf("%s header: %d %s", name, res.StatusCode, body)
			}
		}
	})
}

// TestLoginThrottle is the first half of docs/security.md abuse test 7: a burst
// of failed logins for one account is refused with resource_exhausted and a
// retry hint, while other accounts are unaffected.
func TestLoginThrottle(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "throttle")
		anon := srv.Clients("")
		var last error
		for i := 0; i < 12; i++ {
			_, last = anon.Auth.Login(context.Background(), &v1.LoginRequest{Email: ten.Owner.Email, Password: "not the password"})
		}
		if testenv.Code(last) != "resource_exhausted" {
			t.Fatalf("after 12 failures: %v, want resource_exhausted", last)
		}
		if testenv.RetryAfter(last) == "" {
			t.Fatalf("no Retry-After hint: %v", last)
		}
		ten.Login(t, ten.Members[viewer.RoleAdmin])
	})
}

// TestBadInput: each kind of bad request gets a clear code, and a failed
// sign-up writes nothing (docs/security.md abuse test 10, in part).
func TestBadInput(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "bad")
		tok := ten.Login(t, ten.Owner)
		tenants, users := counts(t, st)
		long := strings.Repeat("n", 201)
		cases := []struct {
			name, procedure, token, body, code string
		}{
			{"invalid email", signUp, "", `{"tenantName":"T","email":"not-an-email","password":"correct horse battery"}`, "invalid_argument"},
			{"email with name", signUp, "", `{"tenantName":"T","email":"Bob <bob@x.example>","password":"correct horse battery"}`, "invalid_argument"},
			{"short password", signUp, "", `{"tenantName":"T","email":"a@b.example","password":"short"}`, "invalid_argument"},
			{"oversized tenant name", signUp, "", `{"tenantName":"` + long + `","email":"a@b.example","password":"correct horse battery"}`, "invalid_argument"},
			{"empty tenant name", signUp, "", `{"tenantName":"  ","email":"a@b.example","password":"correct horse battery"}`, "invalid_argument"},
			// A taken email is not revealed: the owner gets a mail instead.
			{"email taken", signUp, "", `{"tenantName":"T","email":"` + ten.Owner.Email + `","password":"correct horse battery"}`, "ok"},
			{"malformed JSON", createOrg, tok, `{"name":`, "invalid_argument"},
			{"wrong JSON type", createOrg, tok, `{"name":42}`, "invalid_argument"},
			{"oversized name", createOrg, tok, `{"name":"` + long + `"}`, "invalid_argument"},
			{"control characters", createOrg, tok, `{"name":"a\u0000b"}`, "invalid_argument"},
			{"duplicate name", createOrg, tok, `{"name":"BAD ORG 0"}`, "already_exists"},
			{"unknown id", getOrg, tok, `{"id":"0190e6a3-0000-7000-8000-000000000000"}`, "not_found"},
			{"malformed id", getOrg, tok, `{"id":"42"}`, "invalid_argument"},
			{"missing id", getOrg, tok, `{}`, "invalid_argument"},
			{"page size", listOrgs, tok, `{"pageSize":100000}`, "invalid_argument"},
			{"bad page token", listOrgs, tok, `{"pageToken":"!!"}`, "invalid_argument"},
			{"oversized body", createOrg, tok, `{"name":"x","description":"` + strings.Repeat("d", 2<<20) + `"}`, "resource_exhausted"},
			// Connect answers an unknown procedure with HTTP 404, which clients read as unimplemented.
			{"unknown procedure", "wegweiser.v1.TenantService/DropEverything", tok, `{}`, "http_Not Found"},
		}
		for _, c := range cases {
			res := testenv.Call(t, srv.URL, c.procedure, c.token, c.body)
			if res.Code != c.code {
				t.Errorf("%s: got %s (%s), want %s", c.name, res.Code, truncate(res.Raw), c.code)
			}
			if c.code == "invalid_argument" && res.Body["message"] == "" {
				t.Errorf("%s: no message", c.name)
			}
		}
		if nt, nu := counts(t, st); nt != tenants || nu != users {
			t.Fatalf("failed sign-ups wrote rows: tenants %d→%d, users %d→%d", tenants, nt, users, nu)
		}
		list := testenv.Call(t, srv.URL, listOrgs, tok, `{}`)
		if n := len(list.Body["organisations"].([]any)); n != 2 {
			t.Fatalf("failed creates left organisations behind: %d, want 2", n)
		}
	})
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
